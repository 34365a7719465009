#include "infer/epilogue.h"

#include <cmath>
#include <cstring>

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

// Row m of `next` from the f32 row v (n); `range`, when given, is v's [min, max] (saves a pass).
void store_row(const GemmInput& next, int64_t m, const float* v, int64_t n,
               const float* range = nullptr) {
  if (next.data == nullptr) return;
  switch (next.type) {
    case GemmType::f32: {
      float* out = static_cast<float*>(next.data) + m * n;
      if (out != v) std::memcpy(out, v, static_cast<size_t>(n) * sizeof(float));
      return;
    }
    case GemmType::bf16:
      bf16_row(static_cast<uint16_t*>(next.data) + m * n, v, n);
      return;
    case GemmType::u8s8:
    case GemmType::s8s8: {
      const ActivationType type =
          next.type == GemmType::u8s8 ? ActivationType::u8 : ActivationType::s8;
      void* out = static_cast<uint8_t*>(next.data) + m * n;
      if (next.fixed != nullptr) {
        quantize_activation_row_fixed(out, v, n, type, *next.fixed);
        next.quantization[m] = *next.fixed;
      } else if (range != nullptr) {
        next.quantization[m] = quantization_for_range(range[0], range[1], type);
        quantize_activation_row_fixed(out, v, n, type, next.quantization[m]);
      } else {
        next.quantization[m] = quantize_activation_row(out, v, n, type);
      }
      return;
    }
  }
}

}  // namespace

GREENBERT_ISA_CLONES
void layernorm_row(float* y, const float* x, const float* gamma, const float* beta, int64_t n,
                   float eps) {
  const float mean = vec::sum(x, n) / static_cast<float>(n);
  const float var = vec::squared_deviation(x, mean, n) / static_cast<float>(n);
  const float rstd = 1.0f / std::sqrt(var + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
}

void epilogue_bias(void* out, bool out_bf16, int64_t ldo, void* c, GemmType c_type,
                   const Dequantization& dq, const float* bias, int64_t rows, int64_t n) {
  for (int64_t m = 0; m < rows; ++m) {
    float* v = static_cast<float*>(c) + m * n;
    dequantize_row(v, c_type, dq, m, bias, nullptr, n);
    if (out_bf16)
      bf16_row(static_cast<uint16_t*>(out) + m * ldo, v, n);
    else
      std::memcpy(static_cast<float*>(out) + m * ldo, v, static_cast<size_t>(n) * sizeof(float));
  }
}

void epilogue_bias_gelu(const GemmInput& next, void* c, GemmType c_type, const Dequantization& dq,
                        const float* bias, int64_t rows, int64_t n) {
  for (int64_t m = 0; m < rows; ++m) {
    float* v = static_cast<float*>(c) + m * n;
    dequantize_row(v, c_type, dq, m, bias, nullptr, n);
    float range[2];
    gelu_row(v, n, range[0], range[1]);
    store_row(next, m, v, n, range);
  }
}

void epilogue_residual_layernorm(float* x, const GemmInput& next, void* c, GemmType c_type,
                                 const Dequantization& dq, const float* bias, const float* gamma,
                                 const float* beta, float eps, int64_t rows, int64_t n) {
  for (int64_t m = 0; m < rows; ++m) {
    float* v = static_cast<float*>(c) + m * n;
    float* row = x + m * n;
    dequantize_row(v, c_type, dq, m, bias, row, n);
    layernorm_row(row, v, gamma, beta, n, eps);
    store_row(next, m, row, n);
  }
}

void store_gemm_input(const GemmInput& next, const float* x, int64_t ldx, int64_t rows, int64_t n) {
  for (int64_t m = 0; m < rows; ++m) store_row(next, m, x + m * ldx, n);
}

}  // namespace greenbert
