#pragma once
// The weights file of a model directory (model.safetensors), at every precision: what
// save_model writes and what ModelDirectory::open checks before anything is allocated for it.
//
// Tensors carry the checkpoint names of the model's family (model/names.h). Every parameter of
// the model (model/parameters.h) is F32, except at bf16 and int8 the encoder's Linear weights and
// the word embeddings (is_quantized_tensor):
//   bf16  BF16, same shape
//   int8  I8, same shape, symmetric per row, with <name>_scale F32 (rows), every scale > 0; with
//         static (calibrated) activation scales also <linear>.input_scale F32 [] (> 0) and
//         <linear>.input_zero_point F32 [] (an integer in [0, 255]) for every encoder Linear
// An fp32 file may also hold the masked-LM head (cls.predictions.*), which classifiers skip.
//
// safetensors metadata:
//   format                        "pt" (what Hugging Face's loaders expect)
//   greenbert_version             "2": the version of this layout
//   greenbert_precision           fp32 | bf16 | int8
//   greenbert_activation_type     u8 | s8            (int8 only)
//   greenbert_activation_scales   dynamic | static   (int8 only)
// Version 1 (files written before greenbert_version existed) is the same layout with fp32 spelled
// "f32"; both are read, newer versions are refused. A file without greenbert metadata is a
// Hugging Face or PyTorch checkpoint: parameters of any floating dtype under any of the names
// names.h knows, the classification head optional.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/precision.h"
#include "io/tensor_file.h"
#include "model/config.h"

namespace greenbert {

inline constexpr int kWeightsVersion = 2;

// A model's weights at one precision under CANONICAL names (model/parameters.h), each a view into
// storage that `keep_alive` owns (a mapped file, a parameter buffer, or buffers made for it).
struct ModelTensors {
  Precision precision = Precision::fp32;
  ActivationType activations = ActivationType::u8;  // int8
  bool static_activations = false;                  // int8 with calibrated input scales
  std::map<std::string, TensorView, std::less<>> tensors;
  std::vector<std::shared_ptr<const void>> keep_alive;
  // Views point into a read-only file mapping whose pages may be dropped once packed.
  bool mapped = false;

  const TensorView& at(std::string_view name) const;  // throws naming the tensor
  const TensorView* find(std::string_view name) const;
};

class ParameterBuffer;

// The fp32 tensors of `params` (views: params must outlive them), the masked-LM head included
// when its layout has one.
ModelTensors parameter_tensors(const ParameterBuffer& params);

// Whether a canonical Linear weight is one of the encoder's.
bool is_encoder_linear_weight(std::string_view canonical);
// The tensors stored at lower precision in bf16 and int8 files: the encoder's Linear weights and
// the word embeddings.
bool is_quantized_tensor(std::string_view canonical);

inline constexpr std::string_view kWeightScaleSuffix = "_scale";  // "<linear>.weight" + this
inline constexpr std::string_view kInputScaleSuffix = ".input_scale";
inline constexpr std::string_view kInputZeroPointSuffix = ".input_zero_point";
// "<prefix>.weight" → "<prefix>"
std::string linear_prefix(std::string_view weight);

// Canonical ↔ checkpoint names of every tensor of the file, the int8 scales included.
std::string weights_checkpoint_name(const std::string& canonical, ModelType type);
std::optional<std::string> weights_canonical_name(const std::string& name, ModelType type);

// What a weights file's metadata declares.
struct WeightsHeader {
  bool greenbert = false;  // written by greenbert (else an HF / PyTorch checkpoint: fp32)
  int version = 0;         // greenbert_version (1 for files that predate it)
  Precision precision = Precision::fp32;
  ActivationType activations = ActivationType::u8;
  bool static_activations = false;
};

// The metadata save_model writes for `tensors`.
std::map<std::string, std::string> weights_metadata(const ModelTensors& tensors);
// Reads and checks the metadata; `label` (the file) starts every message.
WeightsHeader read_weights_header(const std::map<std::string, std::string>& metadata,
                                  const std::string& label);

// Checks that a greenbert file's tensors are exactly those of `config` at their precision (names,
// dtypes, shapes; the masked-LM head allowed at fp32), that every floating value is finite and
// every scale a valid one. Throws greenbert::Error "LABEL: tensor NAME: reason".
void check_model_tensors(const ModelTensors& tensors, const BertConfig& config,
                         const std::string& label);

// Throws "LABEL: tensor NAME: value V at index I is not finite" unless every value of every
// floating tensor (canonical names) is finite; other dtypes always are. The tensors are read in
// parallel: views into a file mapping have their pages faulted in by all threads at once, which
// the loader that reads them next then finds resident.
void require_finite(const std::map<std::string, TensorView, std::less<>>& tensors, ModelType type,
                    const std::string& label);

}  // namespace greenbert
