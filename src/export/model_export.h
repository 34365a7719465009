#pragma once
// `greenbert export` as a library call: a model directory in, a Hugging Face directory or ONNX
// models out.
//
//   hf     OUT/ as export/hf_export.h writes it, plus OUT/onnx/model.onnx (fp32) and
//          OUT/onnx/model_quantized.onnx (int8): the layout transformers.js loads (dtype "fp32"
//          and "q8")
//   onnx   OUT/model.onnx (fp32) or OUT/model_quantized.onnx (int8), as export/onnx_export.h
//          writes them
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "core/precision.h"
#include "model/model_directory.h"

namespace greenbert {

enum class ExportFormat { hf, onnx };

// "hf" / "onnx"; throws greenbert::Error naming the choices.
ExportFormat parse_export_format(std::string_view name);

struct ExportOptions {
  ExportFormat format = ExportFormat::hf;
  // hf: fp32 or bf16; onnx: fp32 or int8. Unset: the model's own (an int8 model's ONNX is int8,
  // a bf16 model's HF checkpoint bf16; anything else fp32).
  std::optional<Precision> precision;
  // Tokens per sequence the tokenizer truncates to. Unset: the training run's --max-length, else
  // the model directory's tokenizer_config.json model_max_length, else the model's positions.
  std::optional<int64_t> max_length;
};

struct ExportReport {
  std::vector<std::filesystem::path> files;  // written, under the output directory
  int64_t max_length = 0;
};

ExportReport export_model(const ModelDirectory& model, const std::filesystem::path& out_dir,
                          const ExportOptions& options);

}  // namespace greenbert
