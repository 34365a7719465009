#include "kernels/adamw.h"

#include <algorithm>
#include <cmath>
#include "kernels/parallel.h"

namespace greenbert {

namespace {

GREENBERT_ISA_CLONES
void adamw_block(float* param, const float* grad, float* m, float* v, int64_t n, float decay,
                 float b1, float b2, float eps, float step_size, float correction2_sqrt) {
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i];
    float p = param[i] * decay;
    float mi = m[i] * b1 + g * (1.0f - b1);
    float vi = v[i] * b2 + g * g * (1.0f - b2);
    float denom = std::sqrt(vi) / correction2_sqrt + eps;
    param[i] = p - step_size * (mi / denom);
    m[i] = mi;
    v[i] = vi;
  }
}

}  // namespace

void adamw_update(float* param, const float* grad, float* m, float* v, int64_t n,
                  const AdamWHyper& hyper, int64_t step) {
  // Same float operation order as torch's _single_tensor_adamw, so results agree to rounding.
  const float decay = 1.0f - hyper.lr * hyper.weight_decay;
  const double t = static_cast<double>(step);
  const float step_size =
      static_cast<float>(hyper.lr / (1.0 - std::pow(static_cast<double>(hyper.beta1), t)));
  const float correction2_sqrt =
      static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(hyper.beta2), t)));
  parallel_ranges(n, 4, [&](int64_t b, int64_t e) {
    adamw_block(param + b, grad + b, m + b, v + b, e - b, decay, hyper.beta1, hyper.beta2,
                hyper.eps, step_size, correction2_sqrt);
  });
}

double global_norm(const float* grad, int64_t n) {
  constexpr int64_t kChunk = 4096;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  double total = 0.0;
  // Chunk partial sums are formed independently, then added in chunk order.
#pragma omp parallel for ordered schedule(static, 1) if (parallel_worth(n))
  for (int64_t c = 0; c < chunks; ++c) {
    double partial = 0.0;
    const int64_t end = std::min(n, (c + 1) * kChunk);
    for (int64_t i = c * kChunk; i < end; ++i)
      partial += static_cast<double>(grad[i]) * static_cast<double>(grad[i]);
#pragma omp ordered
    total += partial;
  }
  return std::sqrt(total);
}

float clip_factor(double norm, float max_norm) {
  double factor = static_cast<double>(max_norm) / (norm + 1e-6);
  return factor < 1.0 ? static_cast<float>(factor) : 1.0f;
}

void scale(float* x, int64_t n, float factor) {
  if (factor == 1.0f) return;
#pragma omp parallel for simd schedule(static) if (parallel_worth(n))
  for (int64_t i = 0; i < n; ++i) x[i] *= factor;
}

}  // namespace greenbert
