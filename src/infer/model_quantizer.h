#pragma once
// `greenbert quantize` as a library call: an fp32 model directory in, an int8 or bf16 model
// directory out (model/weights_format.h has the file's layout), optionally with activation
// scales calibrated on a few hundred texts (static int8 quantization).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/precision.h"
#include "infer/quantization.h"
#include "infer/quantized_model.h"
#include "model/config.h"
#include "model/model_directory.h"
#include "model/parameters.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

struct QuantizeOptions {
  Precision precision = Precision::int8;
  ActivationType activations = ActivationType::u8;
  std::vector<std::string> calibration_texts;  // empty: dynamic (per-token) activation scales
  size_t max_length = 150;                     // calibration texts are truncated like the study's
  int threads = 0;
};

struct QuantizeReport {
  uint64_t input_bytes = 0;   // weights file read
  uint64_t output_bytes = 0;  // model.safetensors written
  int64_t calibration_sequences = 0;
  int64_t calibration_tokens = 0;
};

// A calibration file: one text per line (blank lines skipped); at least one text.
std::vector<std::string> read_calibration_texts(const std::filesystem::path& path);

// [min, max] of every encoder Linear input over the texts, from an fp32 pass.
ActivationRanges calibrate(const BertConfig& config, const ParameterBuffer& params,
                           const BertTokenizer& tokenizer, const std::vector<std::string>& texts,
                           size_t max_length, int threads);

// Writes out_dir (save_model): the model's description (config, vocabulary, labels, thresholds,
// the run's train_config.json) and its weights at options.precision.
QuantizeReport quantize_model(const ModelDirectory& model, const std::filesystem::path& out_dir,
                              const QuantizeOptions& options);

}  // namespace greenbert
