#pragma once
// The classifier as an ONNX model that ONNX Runtime, transformers.js and other ONNX consumers
// run: IR version 8, opset 17, standard operators only.
//
//   inputs   input_ids, attention_mask, token_type_ids (BERT only): int64 (batch, sequence)
//   output   logits: float (batch, labels), before the sigmoid
//
// The graph is HF's BertForSequenceClassification (DistilBERT: no token types, ReLU head) in
// the shapes torch.onnx.export gives it, which are the patterns ONNX Runtime's optimizer fuses:
// Q, K and V as MatMul + Add + Reshape(0, 0, heads, head) + Transpose from one LayerNormalization,
// scores Div by √head, the additive mask (1 - mask) · float_min from Unsqueeze, Unsqueeze, Cast,
// Sub, Mul, Softmax on axis 3; GELU as x · (1 + erf(x / √2)) · 0.5 (Div, Erf, Add, Mul, Mul);
// LayerNormalization (opset 17) after each residual Add. Linear weights are stored transposed,
// (in, out), as MatMul's B. The classification head reads position 0 with Gather.
//
// int8 (ONNX Runtime's dynamic quantization, the graph its quantize_dynamic writes): every encoder
// Linear layer's input goes through DynamicQuantizeLinear (u8, one scale per tensor, computed at
// run time), then MatMulInteger, Cast, and Mul by the product of the two scales; ONNX Runtime
// fuses these into DynamicQuantizeMatMul / MatMulIntegerToFloat. The weights are int8, symmetric,
// one scale per output channel (what `greenbert quantize` writes, or quantized the same way here
// from float ones), stored as u8 codes q + 128 with zero point 128: ONNX Runtime's u8 × s8 kernels
// saturate int16 sums on CPUs without VNNI (an int8 BERT then loses its predictions), its u8 × u8
// ones do not. The word embedding table is int8 with one scale per row (Gather both, Cast, Mul).
// Everything else stays float, as in greenbert's int8 models. Calibrated (static) activation
// scales are not used: ONNX's int8 graph is always dynamic.
#include <filesystem>

#include "core/precision.h"
#include "infer/quantized_model.h"
#include "model/config.h"

namespace greenbert {

// `weights` under canonical names (F32 or BF16 tensors for an fp32 graph; F32, BF16 or I8 for an
// int8 one). `precision`: fp32 or int8. Runs ONNX's checker and shape inference, then writes `path`
// atomically. Throws greenbert::Error.
void write_onnx_model(const std::filesystem::path& path, const BertConfig& config,
                      const ModelTensors& weights, Precision precision);

}  // namespace greenbert
