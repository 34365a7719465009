#include "kernels/softmax.h"

#include "kernels/parallel.h"
#include "kernels/vec_math.h"

namespace greenbert {

void softmax_forward(float* out, const float* in, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (parallel_worth(rows * cols))
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * cols;
    float* y = out + r * cols;
    float m = vec::max(x, cols);
#pragma omp simd
    for (int64_t c = 0; c < cols; ++c) y[c] = vec::exp(x[c] - m);
    float inv = 1.0f / vec::sum(y, cols);
#pragma omp simd
    for (int64_t c = 0; c < cols; ++c) y[c] *= inv;
  }
}

void softmax_backward(float* din, const float* dout, const float* out, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (parallel_worth(rows * cols))
  for (int64_t r = 0; r < rows; ++r) {
    const float* dy = dout + r * cols;
    const float* y = out + r * cols;
    float* dx = din + r * cols;
    float d = vec::dot(dy, y, cols);
#pragma omp simd
    for (int64_t c = 0; c < cols; ++c) dx[c] = y[c] * (dy[c] - d);
  }
}

}  // namespace greenbert
