#include "infer/epilogue.h"

#include <cmath>
#include <cstring>

#include "infer/packed_gemm.h"
#include "infer/row_kernels.h"

namespace greenbert {

namespace {

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
      row_kernels().to_bf16(static_cast<uint16_t*>(next.data) + m * n, v, n);
      return;
    case GemmType::u8s8:
    case GemmType::s8s8: {
      const ActivationType type =
          next.type == GemmType::u8s8 ? ActivationType::u8 : ActivationType::s8;
      void* out = static_cast<uint8_t*>(next.data) + m * n;
      float lo = 0, hi = 0;
      if (next.fixed == nullptr && range == nullptr) row_kernels().min_max(v, n, lo, hi);
      if (range != nullptr) lo = range[0], hi = range[1];
      next.quantization[m] = next.fixed != nullptr
                                 ? *next.fixed
                                 : quantization_for_range(lo, hi, type, u8_activation_max());
      row_kernels().quantize(out, v, n, type, next.quantization[m]);
      return;
    }
  }
}

}  // namespace

void layernorm_row(float* y, const float* x, const float* gamma, const float* beta, int64_t n,
                   float eps) {
  float lo, hi;
  row_kernels().layernorm(y, x, gamma, beta, n, eps, lo, hi);
}

void epilogue_bias(void* out, bool out_bf16, int64_t ldo, void* c, GemmType c_type,
                   const Dequantization& dq, const float* bias, int64_t rows, int64_t n) {
  const RowKernels& k = row_kernels();
  for (int64_t m = 0; m < rows; ++m) {
    float* v = static_cast<float*>(c) + m * n;
    k.dequantize(v, c_type, dq, m, bias, nullptr, n);
    if (out_bf16)
      k.to_bf16(static_cast<uint16_t*>(out) + m * ldo, v, n);
    else
      std::memcpy(static_cast<float*>(out) + m * ldo, v, static_cast<size_t>(n) * sizeof(float));
  }
}

void epilogue_bias_gelu(const GemmInput& next, void* c, GemmType c_type, const Dequantization& dq,
                        const float* bias, int64_t rows, int64_t n) {
  const RowKernels& k = row_kernels();
  for (int64_t m = 0; m < rows; ++m) {
    float* v = static_cast<float*>(c) + m * n;
    k.dequantize(v, c_type, dq, m, bias, nullptr, n);
    float range[2];
    k.gelu(v, n, range[0], range[1]);
    store_row(next, m, v, n, range);
  }
}

void epilogue_residual_layernorm(float* x, const GemmInput& next, void* c, GemmType c_type,
                                 const Dequantization& dq, const float* bias, const float* gamma,
                                 const float* beta, float eps, int64_t rows, int64_t n) {
  const RowKernels& k = row_kernels();
  for (int64_t m = 0; m < rows; ++m) {
    float* v = static_cast<float*>(c) + m * n;
    float* row = x + m * n;
    k.dequantize(v, c_type, dq, m, bias, row, n);
    float range[2];
    k.layernorm(row, v, gamma, beta, n, eps, range[0], range[1]);
    store_row(next, m, row, n, range);
  }
}

void store_gemm_input(const GemmInput& next, const float* x, int64_t ldx, int64_t rows, int64_t n) {
  for (int64_t m = 0; m < rows; ++m) store_row(next, m, x + m * ldx, n);
}

}  // namespace greenbert
