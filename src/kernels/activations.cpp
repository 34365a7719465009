#include "kernels/activations.h"

#include <cmath>

#include "kernels/parallel.h"
#include "kernels/vec_math.h"

namespace greenbert {

void gelu_forward(float* out, const float* in, int64_t n) {
#pragma omp parallel for simd schedule(static) if (parallel_worth(n))
  for (int64_t i = 0; i < n; ++i) out[i] = vec::gelu(in[i]);
}

void gelu_backward(float* din, const float* dout, const float* in, int64_t n) {
#pragma omp parallel for simd schedule(static) if (parallel_worth(n))
  for (int64_t i = 0; i < n; ++i) din[i] = dout[i] * vec::gelu_grad(in[i]);
}

void bias_gelu_forward(float* pre, float* out, const float* in, const float* bias, int64_t rows,
                       int64_t cols) {
#pragma omp parallel for schedule(static) if (parallel_worth(rows * cols))
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * cols;
    float* p = pre + r * cols;
    float* y = out + r * cols;
#pragma omp simd
    for (int64_t c = 0; c < cols; ++c) {
      float v = x[c] + bias[c];
      p[c] = v;
      y[c] = vec::gelu(v);
    }
  }
}

void tanh_forward(float* out, const float* in, int64_t n) {
  // Only the pooler uses tanh (batch × hidden values): libm's accuracy is worth more than speed.
  for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
}

void tanh_backward(float* din, const float* dout, const float* out, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) din[i] = dout[i] * (1.0f - out[i] * out[i]);
}

void relu_forward(float* out, const float* in, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void relu_backward(float* din, const float* dout, const float* out, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) din[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}

void add(float* out, const float* a, const float* b, int64_t n) {
#pragma omp parallel for simd schedule(static) if (parallel_worth(n))
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

}  // namespace greenbert
