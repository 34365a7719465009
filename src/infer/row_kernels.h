#pragma once
// The loops over one row that the epilogues (infer/epilogue.h) and activation quantization
// (infer/quantization.h) are made of, in instruction-set variants chosen once at run time:
// hand-written AVX-512 (infer/row_kernels_avx512.cpp) where the CPU has it, else portable loops
// that the compiler vectorises (GREENBERT_ISA_CLONES). Variants agree to float rounding (the
// AVX-512 ones contract multiply-adds and use a refined reciprocal in GELU's erf); quantized codes
// can differ by one where a value falls on a rounding tie.
#include <cstdint>

#include "infer/packed_gemm.h"
#include "infer/quantization.h"

namespace greenbert {

struct Dequantization;

struct RowKernels {
  const char* name;
  // v (n) = dequant(c row m) + bias [+ residual], in place over the row (c is int32 for integer
  // GEMMs, f32 otherwise; infer/epilogue.h has the formula).
  void (*dequantize)(void* c_row, GemmType type, const Dequantization& dq, int64_t m,
                     const float* bias, const float* residual, int64_t n);
  // v (n) = gelu(v), in place; lo/hi = the result's range widened to contain 0.
  void (*gelu)(float* v, int64_t n, float& lo, float& hi);
  // y (n) = LayerNorm(x (n)) · gamma + beta (two-pass mean and variance); lo/hi as above.
  void (*layernorm)(float* y, const float* x, const float* gamma, const float* beta, int64_t n,
                    float eps, float& lo, float& hi);
  // out (n) = bf16(v (n)), round to nearest even
  void (*to_bf16)(uint16_t* out, const float* v, int64_t n);
  // q (n, s8 or u8) = saturate(round(x / scale) + zero_point), round half to even
  void (*quantize)(void* q, const float* x, int64_t n, ActivationType type,
                   RowQuantization quantization);
  // lo/hi = range of x (n) widened to contain 0
  void (*min_max)(const float* x, int64_t n, float& lo, float& hi);
};

// The best variant for this CPU.
const RowKernels& row_kernels();
const RowKernels& portable_row_kernels();
// nullptr unless the CPU has AVX-512 F/BW/DQ/VL.
const RowKernels* avx512_row_kernels();

}  // namespace greenbert
