#include "infer/row_kernels.h"

#include <cmath>

#include "infer/epilogue.h"
#include "infer/packed_gemm.h"
#include "kernels/bf16.h"
#include "kernels/parallel.h"
#include "kernels/vec_math.h"

namespace greenbert {

namespace {

// Integer accumulators become floats in place: the same 4 bytes, read as int32, written as f32.
using aliased_int = int32_t __attribute__((may_alias));
using aliased_float = float __attribute__((may_alias));

// v (n) = dequant(c row m) + bias [+ residual], in place over the row.
GREENBERT_ISA_CLONES
void dequantize_row(void* c_row, GemmType type, const Dequantization& dq, int64_t m,
                    const float* bias, const float* residual, int64_t n) {
  auto* v = static_cast<aliased_float*>(c_row);
  if (!integer_gemm(type)) {
    if (residual != nullptr)
      for (int64_t i = 0; i < n; ++i) v[i] += bias[i] + residual[i];
    else
      for (int64_t i = 0; i < n; ++i) v[i] += bias[i];
    return;
  }
  // acc - zero_point · Σw is exact in int32 (it may cancel: float would lose it).
  const auto* acc = static_cast<const aliased_int*>(c_row);
  const float scale = dq.rows[m].scale;
  const int32_t zero_point = dq.rows[m].zero_point;
  const float* ws = dq.weight_scale;
  const int32_t* sums = dq.weight_sums;
  if (residual != nullptr)
    for (int64_t i = 0; i < n; ++i)
      v[i] = static_cast<float>(acc[i] - zero_point * sums[i]) * (scale * ws[i]) + bias[i] +
             residual[i];
  else
    for (int64_t i = 0; i < n; ++i)
      v[i] = static_cast<float>(acc[i] - zero_point * sums[i]) * (scale * ws[i]) + bias[i];
}

// v = gelu(v) in place; lo/hi = its range (widened to contain 0, as quantization needs).
GREENBERT_ISA_CLONES
void gelu_row(aliased_float* v, int64_t n, float& lo, float& hi) {
  float l[vec::kLanes] = {}, h[vec::kLanes] = {};
  int64_t i = 0;
  for (; i + vec::kLanes <= n; i += vec::kLanes)
#pragma omp simd
    for (int j = 0; j < vec::kLanes; ++j) {
      const float g = vec::gelu(v[i + j]);
      v[i + j] = g;
      l[j] = g < l[j] ? g : l[j];
      h[j] = g > h[j] ? g : h[j];
    }
  for (int j = 0; i < n; ++i, ++j) {
    v[i] = vec::gelu(v[i]);
    l[j] = v[i] < l[j] ? v[i] : l[j];
    h[j] = v[i] > h[j] ? v[i] : h[j];
  }
  lo = l[0], hi = h[0];
  for (int j = 1; j < vec::kLanes; ++j) {
    lo = l[j] < lo ? l[j] : lo;
    hi = h[j] > hi ? h[j] : hi;
  }
}

GREENBERT_ISA_CLONES
void bf16_row(uint16_t* out, const float* v, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = to_bf16(v[i]);
}

GREENBERT_ISA_CLONES
void min_max(const float* x, int64_t n, float& lo_out, float& hi_out) {
  float lo[16], hi[16];
  for (int j = 0; j < 16; ++j) lo[j] = hi[j] = 0.0f;  // the range always contains 0
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
#pragma omp simd
    for (int j = 0; j < 16; ++j) {
      lo[j] = x[i + j] < lo[j] ? x[i + j] : lo[j];
      hi[j] = x[i + j] > hi[j] ? x[i + j] : hi[j];
    }
  for (int j = 0; i < n; ++i, ++j) {
    lo[j] = x[i] < lo[j] ? x[i] : lo[j];
    hi[j] = x[i] > hi[j] ? x[i] : hi[j];
  }
  lo_out = lo[0], hi_out = hi[0];
  for (int j = 1; j < 16; ++j) {
    lo_out = lo[j] < lo_out ? lo[j] : lo_out;
    hi_out = hi[j] > hi_out ? hi[j] : hi_out;
  }
}

GREENBERT_ISA_CLONES
void to_s8(int8_t* q, const float* x, int64_t n, float inv_scale) {
  for (int64_t i = 0; i < n; ++i) {
    float v = std::nearbyint(x[i] * inv_scale);
    v = v < -127.0f ? -127.0f : v;
    v = v > 127.0f ? 127.0f : v;
    q[i] = static_cast<int8_t>(static_cast<int32_t>(v));
  }
}

GREENBERT_ISA_CLONES
void to_u8(uint8_t* q, const float* x, int64_t n, float inv_scale, float zero_point, float max) {
  for (int64_t i = 0; i < n; ++i) {
    float v = std::nearbyint(x[i] * inv_scale) + zero_point;
    v = v < 0.0f ? 0.0f : v;
    v = v > max ? max : v;
    q[i] = static_cast<uint8_t>(static_cast<int32_t>(v));
  }
}

GREENBERT_ISA_CLONES
void layernorm_row(float* y, const float* x, const float* gamma, const float* beta, int64_t n,
                   float eps, float& lo, float& hi) {
  const float mean = vec::sum(x, n) / static_cast<float>(n);
  const float var = vec::squared_deviation(x, mean, n) / static_cast<float>(n);
  const float rstd = 1.0f / std::sqrt(var + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
  min_max(y, n, lo, hi);
}

void quantize(void* q, const float* x, int64_t n, ActivationType type,
              RowQuantization quantization) {
  const float inv = 1.0f / quantization.scale;
  if (type == ActivationType::s8)
    to_s8(static_cast<int8_t*>(q), x, n, inv);
  else
    to_u8(static_cast<uint8_t*>(q), x, n, inv, static_cast<float>(quantization.zero_point),
          static_cast<float>(u8_activation_max()));
}

void gelu(float* v, int64_t n, float& lo, float& hi) {
  gelu_row(v, n, lo, hi);
}

void to_bf16(uint16_t* out, const float* v, int64_t n) {
  bf16_row(out, v, n);
}

}  // namespace

const RowKernels& portable_row_kernels() {
  static const RowKernels kernels{"portable", dequantize_row, gelu,   layernorm_row,
                                  to_bf16,    quantize,       min_max};
  return kernels;
}

const RowKernels& row_kernels() {
  static const RowKernels& best =
      avx512_row_kernels() != nullptr ? *avx512_row_kernels() : portable_row_kernels();
  return best;
}

}  // namespace greenbert
