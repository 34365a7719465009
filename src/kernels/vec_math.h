#pragma once
// Scalar building blocks for the element-wise kernels, written so that GCC vectorises the loops
// that call them: branch-free exp/erf approximations (libm's are scalar calls) and reductions
// over 16 independent lanes combined in a fixed order (the compiler may not reassociate float
// sums by itself, and a fixed order keeps results bit-reproducible). Always inlined, so that the
// AVX-512 and AVX2 variants of the calling loops (GREENBERT_ISA_CLONES) get vector code too.
#include <bit>
#include <cstdint>

namespace greenbert::vec {

inline constexpr int kLanes = 16;

// e^x with ~2 ulp error on [-87, 88] (Cephes' expf polynomial); clamps outside that range, so
// exp(-inf) gives ~1e-38 instead of 0, which no kernel here can tell apart.
[[gnu::always_inline]] inline float exp(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  // Round x·log2(e) to nearest with the 1.5·2^23 trick: add and subtract a constant whose ulp is 1.
  const float shifter = 12582912.0f;
  float n = (x * 1.44269504088896341f + shifter) - shifter;
  float r = x - n * 0.693359375f - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  return p * std::bit_cast<float>(bits);
}

// erf(x) within 5e-7 absolute in float arithmetic (Abramowitz & Stegun 7.1.26, the form oneDNN's
// gelu_erf uses).
[[gnu::always_inline]] inline float erf(float x) {
  float a = x < 0.0f ? -x : x;
  float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  float y = 1.0f - p * t * vec::exp(-a * a);
  return x < 0.0f ? -y : y;
}

inline constexpr float kSqrtHalf = 0.70710678118654752f;
inline constexpr float kInvSqrt2Pi = 0.39894228040143268f;

// GELU with the exact (erf) form BERT uses: x·Φ(x).
[[gnu::always_inline]] inline float gelu(float x) {
  return 0.5f * x * (1.0f + vec::erf(x * kSqrtHalf));
}
// d gelu / dx = Φ(x) + x·φ(x)
[[gnu::always_inline]] inline float gelu_grad(float x) {
  return 0.5f * (1.0f + vec::erf(x * kSqrtHalf)) + x * kInvSqrt2Pi * vec::exp(-0.5f * x * x);
}

[[gnu::always_inline]] inline float combine(const float (&lanes)[kLanes]) {
  float total = 0.0f;
  for (int j = 0; j < kLanes; ++j) total += lanes[j];
  return total;
}

// Σ x
[[gnu::always_inline]] inline float sum(const float* x, int64_t n) {
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
#pragma omp simd
    for (int j = 0; j < kLanes; ++j) lanes[j] += x[i + j];
  for (int j = 0; i < n; ++i, ++j) lanes[j] += x[i];
  return combine(lanes);
}

// Σ a·b
[[gnu::always_inline]] inline float dot(const float* a, const float* b, int64_t n) {
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
#pragma omp simd
    for (int j = 0; j < kLanes; ++j) lanes[j] += a[i + j] * b[i + j];
  for (int j = 0; i < n; ++i, ++j) lanes[j] += a[i] * b[i];
  return combine(lanes);
}

// Σ (x - c)²
[[gnu::always_inline]] inline float squared_deviation(const float* x, float c, int64_t n) {
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
#pragma omp simd
    for (int j = 0; j < kLanes; ++j) lanes[j] += (x[i + j] - c) * (x[i + j] - c);
  for (int j = 0; i < n; ++i, ++j) lanes[j] += (x[i] - c) * (x[i] - c);
  return combine(lanes);
}

// max x (n ≥ 1)
[[gnu::always_inline]] inline float max(const float* x, int64_t n) {
  float lanes[kLanes];
  for (int j = 0; j < kLanes; ++j) lanes[j] = x[0];
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
#pragma omp simd
    for (int j = 0; j < kLanes; ++j) lanes[j] = x[i + j] > lanes[j] ? x[i + j] : lanes[j];
  for (int j = 0; i < n; ++i, ++j) lanes[j] = x[i] > lanes[j] ? x[i] : lanes[j];
  float best = lanes[0];
  for (int j = 1; j < kLanes; ++j) best = lanes[j] > best ? lanes[j] : best;
  return best;
}

}  // namespace greenbert::vec
