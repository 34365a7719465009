#pragma once
// Integer quantization used by the int8 inference path.
//
// Weights: symmetric per output channel (one scale per row of HF's (out, in) weight), so that
// w ≈ scale[o] · q[o][i] with q in [-127, 127]. Embedding tables use the same rule per row.
//
// Activations: per token (one scale per row of the GEMM input), computed on the fly:
//   s8: symmetric, x ≈ scale · q, q in [-127, 127]
//   u8: asymmetric, x ≈ scale · (q - zero_point), q in [0, 255], zero_point integral; the range
//       always contains 0 so that exact zeros stay exact.
// or fixed for every row by static calibration (the same formulas with a given scale/zero point).
//
// With s32 accumulators acc[m][n] = Σ_k qx[m][k] · qw[n][k], the real product is
//   y[m][n] = sx[m] · sw[n] · (acc[m][n] - zx[m] · Σ_k qw[n][k])
// which the GEMM epilogues apply (see infer/epilogue.h).
#include <cstdint>
#include <span>

#include "core/precision.h"  // ActivationType

namespace greenbert {

// How one row of activations was quantized.
struct RowQuantization {
  float scale = 1.0f;
  int32_t zero_point = 0;  // 0 for s8
};

// The scale and zero point that cover [lo, hi] (widened to contain 0) for `type`, with u8 codes
// in [0, u8_max]: kStoredU8Max for what model files hold, u8_activation_max() (packed_gemm.h) for
// what this CPU's GEMMs multiply.
inline constexpr int32_t kStoredU8Max = 255;
RowQuantization quantization_for_range(float lo, float hi, ActivationType type, int32_t u8_max);

// A stored (file) quantization of `type` as this CPU's GEMMs run it: unchanged where the CPU
// multiplies `type` exactly, else the same real range as u8 codes in [0, u8_activation_max()].
RowQuantization runtime_quantization(RowQuantization stored, ActivationType type);
// The activation type this CPU's GEMMs run a model of `stored` activations with (u8 for s8
// models on CPUs without VNNI, see packed_gemm.h).
ActivationType runtime_activation_type(ActivationType stored);

// q (rows, cols) = symmetric per-row quantization of x (rows, cols); scales (rows).
// All-zero rows get scale 1 (q = 0), so dequantization never divides by zero.
void quantize_rows_symmetric(int8_t* q, float* scales, const float* x, int64_t rows, int64_t cols);

// One activation row x (n) into q (n bytes, s8 or u8 as `type`, u8 codes up to
// u8_activation_max()) with a per-row scale computed from the row's range; returns it.
RowQuantization quantize_activation_row(void* q, const float* x, int64_t n, ActivationType type);
// The same with a fixed (calibrated) scale and zero point; values outside the range saturate.
void quantize_activation_row_fixed(void* q, const float* x, int64_t n, ActivationType type,
                                   RowQuantization fixed);

// sums (rows) = Σ_cols q (rows, cols): the zero-point correction of u8 activations.
void row_sums(int32_t* sums, const int8_t* q, int64_t rows, int64_t cols);

}  // namespace greenbert
