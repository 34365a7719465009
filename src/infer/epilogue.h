#pragma once
// What runs on a block of GEMM output rows right after the GEMM, while the block is in cache:
// dequantization (integer GEMMs), bias, and then one of
//   - nothing more (Q, K, V): store as f32 or bf16 for attention;
//   - GELU, then store as the next GEMM's input (FFN intermediate);
//   - residual add + LayerNorm, writing the residual stream and the next GEMM's input.
// "Store as the next GEMM's input" converts a row to that GEMM's activation type: f32 (copy),
// bf16, or u8/s8 with a per-row scale (dynamic) or the calibrated one (static).
//
// Each function handles `rows` rows on the calling thread; c is overwritten (it is scratch).
// Shapes: c (rows, n) dense, int32 for integer GEMMs else f32.
#include <cstdint>

#include "infer/packed_gemm.h"
#include "infer/quantization.h"

namespace greenbert {

// Turns integer accumulators into real products (see infer/quantization.h):
//   y[m][n] = rows[m].scale · weight_scale[n] · (acc[m][n] - rows[m].zero_point · weight_sums[n])
struct Dequantization {
  const float* weight_scale = nullptr;    // (n)
  const int32_t* weight_sums = nullptr;   // (n) Σ_k q_w[n][k]
  const RowQuantization* rows = nullptr;  // (rows) of the GEMM's input block
};

// Where a block goes as the next GEMM's A operand: rows of `cols` elements of the type's
// activation_bytes, dense, and for integer types one RowQuantization per row. data nullptr:
// nothing is stored (no GEMM follows).
struct GemmInput {
  GemmType type = GemmType::f32;
  void* data = nullptr;
  RowQuantization* quantization = nullptr;  // (rows), written; integer types only
  const RowQuantization* fixed = nullptr;   // calibrated (static) quantization, or nullptr
};

// out (rows, n) with row stride ldo, f32 or bf16 (out_bf16) = dequant(c) + bias
void epilogue_bias(void* out, bool out_bf16, int64_t ldo, void* c, GemmType c_type,
                   const Dequantization& dq, const float* bias, int64_t rows, int64_t n);

// next = gelu(dequant(c) + bias); for an f32 `next` whose data is c, in place.
void epilogue_bias_gelu(const GemmInput& next, void* c, GemmType c_type, const Dequantization& dq,
                        const float* bias, int64_t rows, int64_t n);

// x (rows, n) = LayerNorm(dequant(c) + bias + x) · gamma + beta;  next = x as a GEMM input
void epilogue_residual_layernorm(float* x, const GemmInput& next, void* c, GemmType c_type,
                                 const Dequantization& dq, const float* bias, const float* gamma,
                                 const float* beta, float eps, int64_t rows, int64_t n);

// next = rows of x (rows, n) as a GEMM input (f32 copy, bf16, or quantized)
void store_gemm_input(const GemmInput& next, const float* x, int64_t ldx, int64_t rows, int64_t n);

// y (n) = LayerNorm(x (n)) · gamma + beta, two-pass (mean, then squared deviations)
void layernorm_row(float* y, const float* x, const float* gamma, const float* beta, int64_t n,
                   float eps);

}  // namespace greenbert
