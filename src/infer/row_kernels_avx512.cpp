// AVX-512 variants of infer/row_kernels.h, written with intrinsics: GELU's erf takes a refined
// reciprocal (rcp14 + one Newton step, ~1e-8 relative) instead of a division, reductions stay in
// registers, and every row is one or two passes over data in L1.
#include <immintrin.h>

#include <cmath>

#include "infer/epilogue.h"
#include "infer/exp_avx512.h"
#include "infer/packed_gemm.h"
#include "infer/row_kernels.h"

// GCC 12's AVX-512 intrinsics start some operations (unpacks, the reductions' extracts) from a
// deliberately undefined vector, which -W[maybe-]uninitialized reports (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace greenbert {

namespace {

#define GREENBERT_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

GREENBERT_AVX512 inline __mmask16 tail(int64_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}

GREENBERT_AVX512 inline float reduce_add(__m512 v) {
  return _mm512_reduce_add_ps(v);
}

GREENBERT_AVX512
void dequantize(void* c_row, GemmType type, const Dequantization& dq, int64_t m, const float* bias,
                const float* residual, int64_t n) {
  float* v = static_cast<float*>(c_row);
  if (!integer_gemm(type)) {
    for (int64_t i = 0; i < n; i += 16) {
      const __mmask16 k = tail(n - i);
      __m512 x = _mm512_add_ps(_mm512_maskz_loadu_ps(k, v + i), _mm512_maskz_loadu_ps(k, bias + i));
      if (residual != nullptr) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(k, residual + i));
      _mm512_mask_storeu_ps(v + i, k, x);
    }
    return;
  }
  const int32_t* acc = static_cast<const int32_t*>(c_row);
  const __m512 scale = _mm512_set1_ps(dq.rows[m].scale);
  const __m512i zero_point = _mm512_set1_epi32(dq.rows[m].zero_point);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    // acc - zero_point · Σw is exact in int32 (it may cancel: float would lose it).
    const __m512i corrected = _mm512_sub_epi32(
        _mm512_maskz_loadu_epi32(k, acc + i),
        _mm512_mullo_epi32(zero_point, _mm512_maskz_loadu_epi32(k, dq.weight_sums + i)));
    const __m512 s = _mm512_mul_ps(scale, _mm512_maskz_loadu_ps(k, dq.weight_scale + i));
    __m512 x =
        _mm512_fmadd_ps(_mm512_cvtepi32_ps(corrected), s, _mm512_maskz_loadu_ps(k, bias + i));
    if (residual != nullptr) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(k, residual + i));
    _mm512_mask_storeu_ps(v + i, k, x);
  }
}

// x·Φ(x) with erf from Abramowitz & Stegun 7.1.26, as vec::gelu.
GREENBERT_AVX512 inline __m512 gelu16(__m512 x) {
  const __m512 z = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f));
  const __m512 a = _mm512_abs_ps(z);
  const __m512 d = _mm512_fmadd_ps(a, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f));
  __m512 t = _mm512_rcp14_ps(d);
  t = _mm512_mul_ps(t, _mm512_fnmadd_ps(d, t, _mm512_set1_ps(2.0f)));  // one Newton step
  __m512 p = _mm512_set1_ps(1.061405429f);
  p = _mm512_fmsub_ps(p, t, _mm512_set1_ps(1.453152027f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
  p = _mm512_fmsub_ps(p, t, _mm512_set1_ps(0.284496736f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
  const __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), a), a));
  const __m512 erf_abs = _mm512_fnmadd_ps(_mm512_mul_ps(p, t), e, _mm512_set1_ps(1.0f));
  // erf(z) carries z's sign: copy it onto erf(|z|).
  const __m512 sign = _mm512_and_ps(z, _mm512_set1_ps(-0.0f));
  const __m512 erf = _mm512_or_ps(erf_abs, sign);
  return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x),
                       _mm512_add_ps(_mm512_set1_ps(1.0f), erf));
}

GREENBERT_AVX512
void gelu(float* v, int64_t n, float& lo, float& hi) {
  __m512 l = _mm512_setzero_ps(), h = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 g = gelu16(_mm512_maskz_loadu_ps(k, v + i));
    _mm512_mask_storeu_ps(v + i, k, g);
    l = _mm512_mask_min_ps(l, k, l, g);
    h = _mm512_mask_max_ps(h, k, h, g);
  }
  lo = _mm512_reduce_min_ps(l);
  hi = _mm512_reduce_max_ps(h);
}

GREENBERT_AVX512
void min_max(const float* x, int64_t n, float& lo, float& hi) {
  __m512 l = _mm512_setzero_ps(), h = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(k, x + i);
    l = _mm512_mask_min_ps(l, k, l, v);
    h = _mm512_mask_max_ps(h, k, h, v);
  }
  lo = _mm512_reduce_min_ps(l);
  hi = _mm512_reduce_max_ps(h);
}

GREENBERT_AVX512
void layernorm(float* y, const float* x, const float* gamma, const float* beta, int64_t n,
               float eps, float& lo, float& hi) {
  __m512 sum = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16)
    sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(tail(n - i), x + i));
  const float mean = reduce_add(sum) / static_cast<float>(n);
  const __m512 mean16 = _mm512_set1_ps(mean);
  __m512 squares = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, x + i), mean16);
    squares = _mm512_fmadd_ps(d, d, squares);
  }
  const float var = reduce_add(squares) / static_cast<float>(n);
  const __m512 rstd = _mm512_set1_ps(1.0f / std::sqrt(var + eps));
  __m512 l = _mm512_setzero_ps(), h = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mean16), rstd);
    const __m512 v =
        _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(k, gamma + i), _mm512_maskz_loadu_ps(k, beta + i));
    _mm512_mask_storeu_ps(y + i, k, v);
    l = _mm512_mask_min_ps(l, k, l, v);
    h = _mm512_mask_max_ps(h, k, h, v);
  }
  lo = _mm512_reduce_min_ps(l);
  hi = _mm512_reduce_max_ps(h);
}

// Round to nearest even on the bits (kernels/bf16.h's rule; NaN stays NaN).
GREENBERT_AVX512
void to_bf16(uint16_t* out, const float* v, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512i bits = _mm512_castps_si512(_mm512_maskz_loadu_ps(k, v + i));
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    __m512i rounded = _mm512_srli_epi32(
        _mm512_add_epi32(bits, _mm512_add_epi32(_mm512_set1_epi32(0x7fff), odd)), 16);
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(
        _mm512_and_si512(bits, _mm512_set1_epi32(0x7fffffff)), _mm512_set1_epi32(0x7f800000));
    rounded =
        _mm512_mask_or_epi32(rounded, nan, _mm512_srli_epi32(bits, 16), _mm512_set1_epi32(0x40));
    _mm512_mask_cvtepi32_storeu_epi16(out + i, k, rounded);
  }
}

GREENBERT_AVX512
void quantize(void* q, const float* x, int64_t n, ActivationType type,
              RowQuantization quantization) {
  const __m512 inv = _mm512_set1_ps(1.0f / quantization.scale);
  const bool u8 = type == ActivationType::u8;
  const __m512i zero_point = _mm512_set1_epi32(quantization.zero_point);
  const __m512i lo = _mm512_set1_epi32(u8 ? 0 : -127);
  const __m512i hi = _mm512_set1_epi32(u8 ? u8_activation_max() : 127);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    // cvtps rounds half to even (the default rounding mode), as nearbyint.
    __m512i r = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), inv));
    r = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(r, zero_point), lo), hi);
    if (u8)
      _mm512_mask_cvtusepi32_storeu_epi8(static_cast<uint8_t*>(q) + i, k, r);
    else
      _mm512_mask_cvtsepi32_storeu_epi8(static_cast<int8_t*>(q) + i, k, r);
  }
}

bool cpu_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

}  // namespace

const RowKernels* avx512_row_kernels() {
  static const RowKernels kernels{"avx512", dequantize, gelu,   layernorm,
                                  to_bf16,  quantize,   min_max};
  static const bool supported = cpu_has_avx512();
  return supported ? &kernels : nullptr;
}

}  // namespace greenbert
