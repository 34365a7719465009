#include "infer/quantization.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "infer/row_kernels.h"
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

void quantize_activation_row_fixed(void* q, const float* x, int64_t n, ActivationType type,
                                   RowQuantization fixed) {
  row_kernels().quantize(q, x, n, type, fixed);
}

RowQuantization quantize_activation_row(void* q, const float* x, int64_t n, ActivationType type) {
  float lo, hi;
  row_kernels().min_max(x, n, lo, hi);
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
