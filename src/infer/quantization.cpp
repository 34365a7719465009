#include "infer/quantization.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/parallel.h"

namespace greenbert {

std::string_view activation_type_name(ActivationType type) {
  return type == ActivationType::u8 ? "u8" : "s8";
}

ActivationType parse_activation_type(std::string_view name) {
  if (name == "u8") return ActivationType::u8;
  if (name == "s8") return ActivationType::s8;
  fail("unknown activation type '", name, "' (expected u8 or s8)");
}

RowQuantization quantization_for_range(float lo, float hi, ActivationType type) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  RowQuantization q;
  if (type == ActivationType::s8) {
    const float amax = std::max(-lo, hi);
    q.scale = amax > 0.0f ? amax / 127.0f : 1.0f;
    return q;
  }
  const float range = hi - lo;
  q.scale = range > 0.0f ? range / 255.0f : 1.0f;
  q.zero_point = static_cast<int32_t>(std::clamp(std::nearbyint(-lo / q.scale), 0.0f, 255.0f));
  return q;
}

namespace {

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
void to_u8(uint8_t* q, const float* x, int64_t n, float inv_scale, float zero_point) {
  for (int64_t i = 0; i < n; ++i) {
    float v = std::nearbyint(x[i] * inv_scale) + zero_point;
    v = v < 0.0f ? 0.0f : v;
    v = v > 255.0f ? 255.0f : v;
    q[i] = static_cast<uint8_t>(static_cast<int32_t>(v));
  }
}

}  // namespace

void quantize_activation_row_fixed(void* q, const float* x, int64_t n, ActivationType type,
                                   RowQuantization fixed) {
  const float inv = 1.0f / fixed.scale;
  if (type == ActivationType::s8)
    to_s8(static_cast<int8_t*>(q), x, n, inv);
  else
    to_u8(static_cast<uint8_t*>(q), x, n, inv, static_cast<float>(fixed.zero_point));
}

RowQuantization quantize_activation_row(void* q, const float* x, int64_t n, ActivationType type) {
  float lo, hi;
  min_max(x, n, lo, hi);
  const RowQuantization quantization = quantization_for_range(lo, hi, type);
  quantize_activation_row_fixed(q, x, n, type, quantization);
  return quantization;
}

void quantize_rows_symmetric(int8_t* q, float* scales, const float* x, int64_t rows, int64_t cols) {
  parallel_ranges(rows, 4 * cols, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      scales[r] =
          quantize_activation_row(q + r * cols, x + r * cols, cols, ActivationType::s8).scale;
  });
}

void row_sums(int32_t* sums, const int8_t* q, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    int32_t total = 0;
    for (int64_t c = 0; c < cols; ++c) total += q[r * cols + c];
    sums[r] = total;
  }
}

}  // namespace greenbert
