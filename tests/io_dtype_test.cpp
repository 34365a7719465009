// dtype table and float conversions: exhaustive checks against naive references (ldexp and
// nearest-value search) and against torch's own roundings (tests/data/io/conversions.safetensors).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "io/dtype.h"
#include "io/tensor_file.h"
#include "io_test_support.h"

namespace greenbert {
namespace {

// The value an f16 bit pattern denotes, computed the slow way.
double naive_f16_value(uint16_t h) {
  int sign = (h & 0x8000) ? -1 : 1;
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  if (exponent == 31) {
    return mantissa == 0 ? sign * std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::quiet_NaN();
  }
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

double naive_bf16_value(uint16_t b) {
  return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(b) << 16));
}

// Round-to-nearest-even by search: the finite bit pattern nearest to x (ties to an even
// pattern), or infinity when x is at or beyond the overflow threshold `max + ulp/2`.
template <typename ValueOf>
uint16_t naive_round(float x, ValueOf value_of, uint16_t max_finite, uint16_t infinity) {
  double target = std::fabs(static_cast<double>(x));
  uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  double max = value_of(max_finite);
  double overflow = max + (max - value_of(static_cast<uint16_t>(max_finite - 1))) / 2;
  if (target >= overflow) return sign | infinity;
  // Values grow monotonically with the bit pattern for positive numbers: binary search.
  uint16_t lo = 0, hi = max_finite;
  while (hi - lo > 1) {
    auto mid = static_cast<uint16_t>((lo + hi) / 2);
    (value_of(mid) <= target ? lo : hi) = mid;
  }
  double below = target - value_of(lo), above = value_of(hi) - target;
  uint16_t pick = below < above ? lo : above < below ? hi : (lo % 2 == 0 ? lo : hi);
  return sign | pick;
}

uint32_t bits(float value) {
  return std::bit_cast<uint32_t>(value);
}

std::vector<float> tricky_floats() {
  std::vector<float> values = {0.0f,
                               -0.0f,
                               1.0f,
                               65504.0f,
                               65519.996f,
                               65520.0f,
                               1e-8f,
                               2.9802322e-08f,
                               5.9604645e-08f,
                               6.1035156e-05f,
                               3.3895314e+38f,
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::denorm_min()};
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) {
    // Random bit patterns cover every exponent; skip NaNs (checked separately).
    float f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    if (!std::isnan(f)) values.push_back(f);
  }
  for (uint32_t h = 0; h < 0x7c00; ++h) {  // exact f16 ties: the midpoint of h and h+1
    float mid = static_cast<float>((naive_f16_value(static_cast<uint16_t>(h)) +
                                    naive_f16_value(static_cast<uint16_t>(h + 1))) /
                                   2);
    values.push_back(mid);
    values.push_back(-mid);
  }
  return values;
}

TEST(DType, TableNamesAndSizes) {
  const std::pair<DType, size_t> sizes[] = {
      {DType::F64, 8}, {DType::F32, 4}, {DType::F16, 2}, {DType::BF16, 2}, {DType::I64, 8},
      {DType::I32, 4}, {DType::I16, 2}, {DType::I8, 1},  {DType::U8, 1},   {DType::BOOL, 1}};
  for (auto [dtype, size] : sizes) {
    EXPECT_EQ(dtype_size(dtype), size) << dtype_name(dtype);
    EXPECT_EQ(parse_dtype(dtype_name(dtype)), dtype);
  }
  EXPECT_EQ(dtype_name(DType::BF16), "BF16");
  EXPECT_TRUE(is_floating(DType::F16));
  EXPECT_FALSE(is_floating(DType::I64));
  EXPECT_FALSE(parse_dtype("U32").has_value());
  EXPECT_FALSE(parse_dtype("f32").has_value());
}

TEST(DType, F16WideningIsExactForAll65536Patterns) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    float got = f16_to_float32(static_cast<uint16_t>(h));
    double want = naive_f16_value(static_cast<uint16_t>(h));
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(got)) << h;
      EXPECT_EQ(bits(got) >> 31, h >> 15) << h;
      EXPECT_EQ((bits(got) >> 13) & 0x3ff, h & 0x3ff) << "payload kept " << h;
    } else {
      ASSERT_EQ(static_cast<double>(got), want) << h;
      ASSERT_EQ(std::signbit(got), (h & 0x8000) != 0) << h;
    }
  }
}

TEST(DType, F16NarrowingRoundsToNearestEven) {
  for (float x : tricky_floats()) {
    uint16_t want = naive_round(x, naive_f16_value, 0x7bff, 0x7c00);
    ASSERT_EQ(float32_to_f16(x), want) << x << " bits " << std::hex << bits(x);
  }
  EXPECT_EQ(float32_to_f16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(float32_to_f16(-std::numeric_limits<float>::infinity()), 0xfc00);
  uint16_t nan = float32_to_f16(-std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(f16_to_float32(nan)));
  EXPECT_EQ(nan & 0x8000, 0x8000);
  // A signalling NaN whose payload lives only in the low bits must not become infinity.
  EXPECT_TRUE(std::isnan(f16_to_float32(float32_to_f16(std::bit_cast<float>(0x7f800001u)))));
}

TEST(DType, BF16RoundTripAndRoundsToNearestEven) {
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    float widened = bf16_to_float32(static_cast<uint16_t>(b));
    ASSERT_EQ(bits(widened), b << 16);
    if (!std::isnan(widened)) {
      ASSERT_EQ(float32_to_bf16(widened), b);
    }
  }
  for (float x : tricky_floats()) {
    uint16_t want = naive_round(x, naive_bf16_value, 0x7f7f, 0x7f80);
    ASSERT_EQ(float32_to_bf16(x), want) << x << " bits " << std::hex << bits(x);
  }
  EXPECT_TRUE(std::isnan(bf16_to_float32(float32_to_bf16(std::bit_cast<float>(0x7f800001u)))));
}

// torch's own conversions of tricky values, computed by scripts/make_io_fixtures.py.
TEST(DType, MatchesTorchConversions) {
  auto file = TensorFile::open(testing::io_data("conversions.safetensors"));
  auto x = to_float32(file.at("x"));
  auto x_f16 = file.at("x_f16");
  auto x_bf16 = file.at("x_bf16");
  ASSERT_EQ(x_f16.dtype, DType::F16);
  ASSERT_EQ(x_bf16.dtype, DType::BF16);
  ASSERT_EQ(x_f16.numel(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    uint16_t torch_f16, torch_bf16;
    std::memcpy(&torch_f16, x_f16.bytes.data() + 2 * i, 2);
    std::memcpy(&torch_bf16, x_bf16.bytes.data() + 2 * i, 2);
    if (std::isnan(x[i])) continue;
    EXPECT_EQ(float32_to_f16(x[i]), torch_f16) << i << ": " << x[i];
    EXPECT_EQ(float32_to_bf16(x[i]), torch_bf16) << i << ": " << x[i];
  }
  // Widening through to_float32 matches torch's .float() bit for bit.
  auto widened_f16 = to_float32(x_f16), torch_widened_f16 = to_float32(file.at("x_f16_widened"));
  auto widened_bf16 = to_float32(x_bf16),
       torch_widened_bf16 = to_float32(file.at("x_bf16_widened"));
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(bits(widened_f16[i]), bits(torch_widened_f16[i])) << i;
    EXPECT_EQ(bits(widened_bf16[i]), bits(torch_widened_bf16[i])) << i;
  }
  auto narrowed = to_float32(file.at("x64"));
  auto torch_narrowed = to_float32(file.at("x64_f32"));
  ASSERT_EQ(narrowed.size(), torch_narrowed.size());
  for (size_t i = 0; i < narrowed.size(); ++i)
    EXPECT_EQ(bits(narrowed[i]), bits(torch_narrowed[i])) << i;
}

TEST(DType, ToFloat32ReadsUnalignedBytesAndRejectsMisuse) {
  std::string raw = "x" + testing::floats({1.5f, -2.0f});  // floats at an odd address
  std::vector<float> out(2);
  to_float32(DType::F32, testing::as_bytes(raw).subspan(1), out);
  EXPECT_EQ(out, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_THROW(to_float32(DType::I32, testing::as_bytes(raw).subspan(1), out), Error);
  std::vector<float> wrong(3);
  EXPECT_THROW(to_float32(DType::F32, testing::as_bytes(raw).subspan(1), wrong), Error);
}

TEST(DType, FromFloat32EncodesEachElementLikeTheScalarHelpers) {
  std::vector<float> values = {0.0f, -1.5f, 3.14159f, 1e-6f, 70000.0f, -1e30f, 6e-8f};
  for (DType dtype : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
    SCOPED_TRACE(dtype_name(dtype));
    std::vector<std::byte> encoded(values.size() * dtype_size(dtype));
    from_float32(dtype, values, encoded);
    std::vector<float> decoded(values.size());
    to_float32(dtype, encoded, decoded);
    for (size_t i = 0; i < values.size(); ++i) {
      float expected = dtype == DType::F16    ? f16_to_float32(float32_to_f16(values[i]))
                       : dtype == DType::BF16 ? bf16_to_float32(float32_to_bf16(values[i]))
                                              : values[i];
      EXPECT_EQ(bits(decoded[i]), bits(expected)) << values[i];
    }
  }
  std::vector<std::byte> too_small(3);
  EXPECT_THROW(from_float32(DType::F16, values, too_small), Error);
  std::vector<std::byte> ints(values.size() * 4);
  EXPECT_THROW(from_float32(DType::I32, values, ints), Error);
}

}  // namespace
}  // namespace greenbert
