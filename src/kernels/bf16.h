#pragma once
// bfloat16 conversion: the top 16 bits of an fp32, rounded to nearest even.
#include <cstdint>
#include <cstring>

namespace greenbert {

inline uint16_t to_bf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);  // NaN stays NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

inline float from_bf16(uint16_t value) {
  uint32_t bits = static_cast<uint32_t>(value) << 16;
  float result;
  std::memcpy(&result, &bits, sizeof result);
  return result;
}

// The fp32 value nearest to `value` that bf16 can represent (what a bf16 GEMM multiplies).
inline float round_to_bf16(float value) {
  return from_bf16(to_bf16(value));
}

// dst (rows, cols) dense = bf16(src (rows, cols) with row stride ld)
void to_bf16_strided(uint16_t* dst, const float* src, int64_t rows, int64_t cols, int64_t ld);
// dst (rows, cols) dense = round_to_bf16(src (rows, cols) with row stride ld), kept as fp32
void round_to_bf16_strided(float* dst, const float* src, int64_t rows, int64_t cols, int64_t ld);

}  // namespace greenbert
