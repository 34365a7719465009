#include "kernels/softmax.h"

#include "kernels/parallel.h"
#include "kernels/vec_math.h"

namespace greenbert {

namespace {

GREENBERT_ISA_CLONES
void softmax_rows(float* out, const float* in, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * cols;
    float* y = out + r * cols;
    float m = vec::max(x, cols);
    for (int64_t c = 0; c < cols; ++c) y[c] = vec::exp(x[c] - m);
    float inv = 1.0f / vec::sum(y, cols);
    for (int64_t c = 0; c < cols; ++c) y[c] *= inv;
  }
}

GREENBERT_ISA_CLONES
void softmax_backward_rows(float* din, const float* dout, const float* out, int64_t rows,
                           int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* dy = dout + r * cols;
    const float* y = out + r * cols;
    float* dx = din + r * cols;
    float d = vec::dot(dy, y, cols);
    for (int64_t c = 0; c < cols; ++c) dx[c] = y[c] * (dy[c] - d);
  }
}

}  // namespace

void softmax_forward(float* out, const float* in, int64_t rows, int64_t cols) {
  parallel_ranges(rows, 4 * cols, [&](int64_t b, int64_t e) {
    softmax_rows(out + b * cols, in + b * cols, e - b, cols);
  });
}

void softmax_backward(float* din, const float* dout, const float* out, int64_t rows, int64_t cols) {
  parallel_ranges(rows, cols, [&](int64_t b, int64_t e) {
    softmax_backward_rows(din + b * cols, dout + b * cols, out + b * cols, e - b, cols);
  });
}

}  // namespace greenbert
