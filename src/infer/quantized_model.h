#pragma once
// A model's parameters at one inference precision: what `greenbert quantize` writes into a
// model directory's model.safetensors and what the inference session packs.
//
// Tensors use the model family's checkpoint names (model/names.h) plus, for int8:
//   <linear>.weight              I8 (out, in), symmetric per output channel
//   <linear>.weight_scale        F32 (out)
//   <linear>.input_scale         F32 [] and <linear>.input_zero_point F32 [] — only with static
//                                (calibrated) activation quantization
//   word_embeddings.weight       I8 (vocab, C) with word_embeddings.weight_scale F32 (vocab)
// for bf16 the same Linear weights and word embeddings as BF16 (no scales). Everything else
// (biases, LayerNorms, position and token-type embeddings, pooler/pre_classifier, classifier)
// stays F32. Encoder Linear layers are the only quantized ones.
//
// safetensors metadata: greenbert_precision = int8 | bf16 (f32 for save_model's files),
// greenbert_activation_type = u8 | s8 and greenbert_activation_scales = dynamic | static (int8),
// and format = greenbert (not HF's "pt", so that Hugging Face's loaders refuse the file rather
// than read int8 codes as weights; files written before this had "pt" and still load here).
// `greenbert export` turns a model into what HF and ONNX Runtime load.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infer/precision.h"
#include "infer/quantization.h"
#include "io/tensor_file.h"
#include "model/config.h"
#include "model/parameters.h"

namespace greenbert {

inline constexpr const char* kPrecisionMetadata = "greenbert_precision";
inline constexpr const char* kActivationTypeMetadata = "greenbert_activation_type";
inline constexpr const char* kActivationScalesMetadata = "greenbert_activation_scales";
inline constexpr const char* kQuantizedFormat = "greenbert";  // safetensors "format" metadata

// The inputs of the four Linear layers of an encoder layer, in calibration order.
enum class LinearInput : uint8_t { qkv, attention_output, ffn_in, ffn_out };
inline constexpr int kLinearInputs = 4;

// Observed [min, max] of each Linear input per layer, from an fp32 pass over calibration texts:
// ranges[layer][input].
struct ActivationRanges {
  std::vector<std::array<std::array<float, 2>, kLinearInputs>> ranges;
  int64_t tokens = 0;  // rows observed
};

// Named tensors under CANONICAL names (HF BERT, model/parameters.h), each a view into storage
// that `keep_alive` owns (a mapped file, a parameter buffer, or buffers made here).
struct PrecisionTensors {
  InferencePrecision precision{};
  ActivationType activations = ActivationType::u8;
  bool static_activations = false;
  std::map<std::string, TensorView, std::less<>> tensors;
  std::vector<std::shared_ptr<const void>> keep_alive;
  // Views point into a read-only file mapping whose pages may be dropped once packed.
  bool mapped = false;

  const TensorView& at(std::string_view name) const;  // throws naming the tensor
  const TensorView* find(std::string_view name) const;
};

// The model's fp32 parameters at `precision` (views into `params` for what stays f32).
// `ranges`, for int8, fixes the activation scales (static quantization).
PrecisionTensors quantize_parameters(const BertConfig& config,
                                     std::shared_ptr<const ParameterBuffer> params,
                                     InferencePrecision precision, ActivationType activations,
                                     const ActivationRanges* ranges = nullptr);

// Writes them (checkpoint names, metadata) atomically.
void write_precision_tensors(const std::filesystem::path& path, const BertConfig& config,
                             const PrecisionTensors& tensors);

// Reads a file that write_precision_tensors or save_model wrote (int8, bf16 or f32
// model.safetensors) as views into its mapping, checking every tensor the config needs is there
// with its shape and dtype.
PrecisionTensors read_precision_tensors(const std::filesystem::path& path,
                                        const BertConfig& config);

// The precision a weights file declares: greenbert_precision metadata, "f32" when absent (HF
// checkpoints, PyTorch files).
std::string declared_precision(const TensorFile& file);

// Whether a canonical Linear weight is one of the encoder's (the ones quantized).
bool is_encoder_linear_weight(std::string_view canonical);

}  // namespace greenbert
