#pragma once
// A model's fp32 parameters at a lower precision for the inference session: what
// `greenbert quantize` writes into a model directory (model/weights_format.h has the file's
// layout) and what the session does in memory when an fp32 directory runs at bf16 or int8.
//   bf16  the encoder's Linear weights and the word embeddings rounded to bf16 (nearest even)
//   int8  the same quantized symmetrically per output channel (per row for the embeddings);
//         with calibration ranges, each Linear input's activation scale fixed (static)
// Everything else stays fp32.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/precision.h"
#include "infer/quantization.h"
#include "model/config.h"
#include "model/parameters.h"
#include "model/weights_format.h"

namespace greenbert {

// The inputs of the four Linear layers of an encoder layer, in calibration order.
enum class LinearInput : uint8_t { qkv, attention_output, ffn_in, ffn_out };
inline constexpr int kLinearInputs = 4;

// Observed [min, max] of each Linear input per layer, from an fp32 pass over calibration texts:
// ranges[layer][input].
struct ActivationRanges {
  std::vector<std::array<std::array<float, 2>, kLinearInputs>> ranges;
  int64_t tokens = 0;  // rows observed
};

// The model's fp32 parameters at `precision` (views into `params` for what stays fp32; the
// masked-LM head, if any, left out). `ranges`, for int8, fixes the activation scales.
ModelTensors quantize_parameters(const BertConfig& config,
                                 std::shared_ptr<const ParameterBuffer> params, Precision precision,
                                 ActivationType activations,
                                 const ActivationRanges* ranges = nullptr);

}  // namespace greenbert
