#include "infer/quantization.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "infer/packed_gemm.h"
#include "infer/row_kernels.h"
#include "kernels/parallel.h"

namespace greenbert {

RowQuantization quantization_for_range(float lo, float hi, ActivationType type, int32_t u8_max) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  RowQuantization q;
  if (type == ActivationType::s8) {
    const float amax = std::max(-lo, hi);
    q.scale = amax > 0.0f ? amax / 127.0f : 1.0f;
    return q;
  }
  const auto levels = static_cast<float>(u8_max);
  const float range = hi - lo;
  q.scale = range > 0.0f ? range / levels : 1.0f;
  q.zero_point = static_cast<int32_t>(std::clamp(std::nearbyint(-lo / q.scale), 0.0f, levels));
  return q;
}

ActivationType runtime_activation_type(ActivationType stored) {
  return int8_gemm_has_vnni() ? stored : ActivationType::u8;
}

RowQuantization runtime_quantization(RowQuantization stored, ActivationType type) {
  if (int8_gemm_has_vnni()) return stored;
  const float lo = type == ActivationType::s8
                       ? -127.0f * stored.scale
                       : static_cast<float>(-stored.zero_point) * stored.scale;
  const float hi = type == ActivationType::s8
                       ? 127.0f * stored.scale
                       : static_cast<float>(kStoredU8Max - stored.zero_point) * stored.scale;
  return quantization_for_range(lo, hi, ActivationType::u8, u8_activation_max());
}

void quantize_activation_row_fixed(void* q, const float* x, int64_t n, ActivationType type,
                                   RowQuantization fixed) {
  row_kernels().quantize(q, x, n, type, fixed);
}

RowQuantization quantize_activation_row(void* q, const float* x, int64_t n, ActivationType type) {
  float lo, hi;
  row_kernels().min_max(x, n, lo, hi);
  const RowQuantization quantization = quantization_for_range(lo, hi, type, u8_activation_max());
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
