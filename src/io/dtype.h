#pragma once
// Element types of checkpoint tensors (the subset of safetensors' dtypes that BERT checkpoints
// use) and the float conversions every loader and writer needs. All multi-byte values are
// little-endian, as in safetensors and in PyTorch files written on x86/ARM.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace greenbert {

enum class DType : uint8_t { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

inline constexpr DType kAllDTypes[] = {DType::F64, DType::F32, DType::F16, DType::BF16,
                                       DType::I64, DType::I32, DType::I16, DType::I8,
                                       DType::U8,  DType::BOOL};

size_t dtype_size(DType dtype);
// safetensors' spelling: "F32", "BF16", "BOOL"...
std::string_view dtype_name(DType dtype);
std::optional<DType> parse_dtype(std::string_view name);
bool is_floating(DType dtype);

// Exact widening conversions (f16 subnormals, infinities and NaNs included).
float f16_to_float32(uint16_t half);
float bf16_to_float32(uint16_t bf16);
// Narrowing with round-to-nearest-even; overflow gives infinity, NaN stays a (quiet) NaN
// with its sign.
uint16_t float32_to_f16(float value);
uint16_t float32_to_bf16(float value);

// Converts `in` (little-endian elements of a floating `dtype`, any alignment) to float32;
// `out` must hold exactly in.size() / dtype_size(dtype) values. F64 rounds to nearest.
// in (N * dtype_size), out (N)
void to_float32(DType dtype, std::span<const std::byte> in, std::span<float> out);

// The inverse, for writers: float32 values to little-endian elements of a floating `dtype`
// (F16/BF16 rounded to nearest even). `out` must hold in.size() * dtype_size(dtype) bytes.
// in (N), out (N * dtype_size)
void from_float32(DType dtype, std::span<const float> in, std::span<std::byte> out);

}  // namespace greenbert
