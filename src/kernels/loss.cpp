#include "kernels/loss.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/parallel.h"
#include "kernels/vec_math.h"

namespace greenbert {

namespace {
double stable_sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}
}  // namespace

float bce_with_logits(const float* logits, const float* targets, int64_t n, float* dlogits) {
  if (n <= 0) return 0.0f;
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    double x = logits[i], y = targets[i];
    total += std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::abs(x)));
    if (dlogits != nullptr)
      dlogits[i] = static_cast<float>((stable_sigmoid(x) - y) / static_cast<double>(n));
  }
  return static_cast<float>(total / static_cast<double>(n));
}

namespace {

// One row: max, Σ exp, log-sum-exp in double; the gradient reuses the exponentials.
GREENBERT_ISA_CLONES
void cross_entropy_rows(const float* logits, const int32_t* targets, int64_t rows, int64_t classes,
                        float* row_loss, float* dlogits, float grad_scale) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * classes;
    const float m = vec::max(x, classes);
    float lanes[vec::kLanes] = {};
    int64_t c = 0;
    for (; c + vec::kLanes <= classes; c += vec::kLanes)
      for (int j = 0; j < vec::kLanes; ++j) lanes[j] += vec::exp(x[c + j] - m);
    for (int j = 0; c < classes; ++c, ++j) lanes[j] += vec::exp(x[c] - m);
    const float sum = vec::combine(lanes);
    const int32_t t = targets[r];
    row_loss[r] = static_cast<float>(std::log(static_cast<double>(sum)) + m - x[t]);
    if (dlogits == nullptr) continue;
    float* d = dlogits + r * classes;
    const float inv = grad_scale / sum;
    for (int64_t k = 0; k < classes; ++k) d[k] = vec::exp(x[k] - m) * inv;
    d[t] -= grad_scale;
  }
}

}  // namespace

float softmax_cross_entropy(const float* logits, const int32_t* targets, int64_t rows,
                            int64_t classes, float* row_loss, float* dlogits) {
  if (rows <= 0) return 0.0f;
  for (int64_t r = 0; r < rows; ++r)
    if (targets[r] < 0 || targets[r] >= classes)
      fail("cross-entropy target ", targets[r], " of row ", r, " is outside 0..", classes - 1);
  const float grad_scale = 1.0f / static_cast<float>(rows);
  parallel_ranges(rows, 4 * classes, [&](int64_t b, int64_t e) {
    cross_entropy_rows(logits + b * classes, targets + b, e - b, classes, row_loss + b,
                       dlogits ? dlogits + b * classes : nullptr, grad_scale);
  });
  double total = 0.0;
  for (int64_t r = 0; r < rows; ++r) total += row_loss[r];
  return static_cast<float>(total / static_cast<double>(rows));
}

void sigmoid(float* out, const float* logits, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(stable_sigmoid(logits[i]));
}

}  // namespace greenbert
