#include "kernels/loss.h"

#include <algorithm>
#include <cmath>

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

void sigmoid(float* out, const float* logits, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(stable_sigmoid(logits[i]));
}

}  // namespace greenbert
