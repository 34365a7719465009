#include "io/dtype.h"

#include <bit>
#include <cstring>

#include "core/error.h"

namespace greenbert {
namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;
  bool floating;
};

constexpr DTypeInfo kInfo[] = {
    {DType::F64, "F64", 8, true},    {DType::F32, "F32", 4, true},  {DType::F16, "F16", 2, true},
    {DType::BF16, "BF16", 2, true},  {DType::I64, "I64", 8, false}, {DType::I32, "I32", 4, false},
    {DType::I16, "I16", 2, false},   {DType::I8, "I8", 1, false},   {DType::U8, "U8", 1, false},
    {DType::BOOL, "BOOL", 1, false},
};

const DTypeInfo& info(DType dtype) {
  return kInfo[static_cast<size_t>(dtype)];
}

template <typename T>
T load_le(const std::byte* p) {
  static_assert(std::endian::native == std::endian::little,
                "greenbert assumes a little-endian host");
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

void check_float_sizes(const char* what, DType dtype, size_t bytes, size_t floats) {
  if (!is_floating(dtype)) fail(what, ": ", dtype_name(dtype), " is not a floating type");
  if (bytes != floats * dtype_size(dtype)) {
    fail(what, ": ", bytes, " bytes of ", dtype_name(dtype), " do not match ", floats, " floats");
  }
}

template <typename T>
void store_le(std::byte* p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

}  // namespace

size_t dtype_size(DType dtype) {
  return info(dtype).size;
}
std::string_view dtype_name(DType dtype) {
  return info(dtype).name;
}
bool is_floating(DType dtype) {
  return info(dtype).floating;
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& entry : kInfo) {
    if (entry.name == name) return entry.dtype;
  }
  return std::nullopt;
}

// Written with masks instead of branches so that conversion loops vectorize.
float f16_to_float32(uint16_t half) {
  uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  uint32_t magnitude = half & 0x7fffu;
  uint32_t special = 0u - static_cast<uint32_t>(magnitude >= 0x7c00u);  // infinity or NaN
  uint32_t tiny = 0u - static_cast<uint32_t>(magnitude < 0x400u);       // zero or subnormal
  // Normal numbers: move exponent and mantissa into place and rebias 15 -> 127; exponent 31
  // must become 255, payload kept.
  uint32_t normal = (magnitude << 13) + (112u << 23) + (special & (128u - 16u) << 23);
  // Zero and subnormals: mantissa * 2^-24 is exact in float32 (a normal number there).
  uint32_t subnormal = std::bit_cast<uint32_t>(static_cast<float>(magnitude) * 0x1p-24f);
  return std::bit_cast<float>(sign | (tiny & subnormal) | (~tiny & normal));
}

float bf16_to_float32(uint16_t bf16) {
  return std::bit_cast<float>(static_cast<uint32_t>(bf16) << 16);
}

uint16_t float32_to_f16(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) {  // NaN: keep the top payload bits, force the quiet bit
    return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  }
  // 65520 = 65504 + half an ulp: from there on (ties to even included) the result is infinity.
  if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (magnitude < 0x38800000u) {  // below 2^-14: an f16 subnormal (or zero)
    uint32_t exponent = magnitude >> 23;
    if (exponent < 102) return sign;  // below 2^-25: rounds to zero
    uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - exponent;  // value / 2^-24 = mantissa >> shift, 14 <= shift <= 24
    uint32_t result = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (result & 1u))) ++result;
    return static_cast<uint16_t>(sign | result);
  }
  uint32_t result = (magnitude - (112u << 23)) >> 13;  // rebias 127 -> 15
  uint32_t rest = magnitude & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (result & 1u))) ++result;  // may carry into exponent
  return static_cast<uint16_t>(sign | result);
}

uint16_t float32_to_bf16(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

void to_float32(DType dtype, std::span<const std::byte> in, std::span<float> out) {
  check_float_sizes("to_float32", dtype, in.size(), out.size());
  const std::byte* p = in.data();
  switch (dtype) {
    case DType::F32:
      if (!out.empty()) std::memcpy(out.data(), p, in.size());
      break;
    case DType::F64:
      for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<float>(load_le<double>(p + 8 * i));
      break;
    case DType::F16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = f16_to_float32(load_le<uint16_t>(p + 2 * i));
      break;
    case DType::BF16:
      for (size_t i = 0; i < out.size(); ++i)
        out[i] = bf16_to_float32(load_le<uint16_t>(p + 2 * i));
      break;
    default:
      break;
  }
}

void from_float32(DType dtype, std::span<const float> in, std::span<std::byte> out) {
  check_float_sizes("from_float32", dtype, out.size(), in.size());
  std::byte* p = out.data();
  switch (dtype) {
    case DType::F32:
      if (!in.empty()) std::memcpy(p, in.data(), out.size());
      break;
    case DType::F64:
      for (size_t i = 0; i < in.size(); ++i) store_le(p + 8 * i, static_cast<double>(in[i]));
      break;
    case DType::F16:
      for (size_t i = 0; i < in.size(); ++i) store_le(p + 2 * i, float32_to_f16(in[i]));
      break;
    case DType::BF16:
      for (size_t i = 0; i < in.size(); ++i) store_le(p + 2 * i, float32_to_bf16(in[i]));
      break;
    default:
      break;
  }
}

}  // namespace greenbert
