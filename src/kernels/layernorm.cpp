#include "kernels/layernorm.h"

#include <cmath>

#include "kernels/parallel.h"
#include "kernels/reduce.h"
#include "kernels/vec_math.h"

namespace greenbert {

namespace {

GREENBERT_ISA_CLONES
void layernorm_rows(float* out, float* mean, float* rstd, const float* in, const float* weight,
                    const float* bias, int64_t rows, int64_t cols, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * cols;
    float* y = out + r * cols;
    // Two passes (mean, then squared deviations): no cancellation when |mean| >> std.
    float m = vec::sum(x, cols) / static_cast<float>(cols);
    float var = vec::squared_deviation(x, m, cols) / static_cast<float>(cols);
    float s = 1.0f / std::sqrt(var + eps);
    for (int64_t c = 0; c < cols; ++c) y[c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[r] = m;
    rstd[r] = s;
  }
}

// With g = dy·weight and x̂ = (x - mean)·rstd:  dx = rstd · (g - mean(g) - x̂ · mean(g·x̂))
GREENBERT_ISA_CLONES
void layernorm_backward_rows(float* din, const float* dout, const float* in, const float* mean,
                             const float* rstd, const float* weight, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * cols;
    const float* dy = dout + r * cols;
    float* dx = din + r * cols;
    const float m = mean[r], s = rstd[r];
    float lanes_g[vec::kLanes] = {}, lanes_gx[vec::kLanes] = {};
    int64_t c = 0;
    for (; c + vec::kLanes <= cols; c += vec::kLanes)
#pragma omp simd
      for (int j = 0; j < vec::kLanes; ++j) {
        float g = dy[c + j] * weight[c + j];
        lanes_g[j] += g;
        lanes_gx[j] += g * (x[c + j] - m) * s;
      }
    for (int j = 0; c < cols; ++c, ++j) {
      float g = dy[c] * weight[c];
      lanes_g[j] += g;
      lanes_gx[j] += g * (x[c] - m) * s;
    }
    const float mean_g = vec::combine(lanes_g) / static_cast<float>(cols);
    const float mean_gx = vec::combine(lanes_gx) / static_cast<float>(cols);
    for (int64_t k = 0; k < cols; ++k) {
      float xhat = (x[k] - m) * s;
      dx[k] = s * (dy[k] * weight[k] - mean_g - xhat * mean_gx);
    }
  }
}

}  // namespace

void layernorm_forward(float* out, float* mean, float* rstd, const float* in, const float* weight,
                       const float* bias, int64_t rows, int64_t cols, float eps) {
  parallel_ranges(rows, 4 * cols, [&](int64_t b, int64_t e) {
    layernorm_rows(out + b * cols, mean + b, rstd + b, in + b * cols, weight, bias, e - b, cols,
                   eps);
  });
}

void layernorm_backward(float* din, float* dweight, float* dbias, const float* dout,
                        const float* in, const float* mean, const float* rstd, const float* weight,
                        int64_t rows, int64_t cols) {
  // Parameter gradients first: din may overwrite dout. Columns are split across threads and rows
  // summed in order, so the result does not depend on the thread count.
  column_reduce(rows, cols, [&](int64_t r, int64_t c0, int64_t c1) {
    const float* x = in + r * cols;
    const float* dy = dout + r * cols;
    const float m = mean[r], s = rstd[r];
#pragma omp simd
    for (int64_t c = c0; c < c1; ++c) {
      dweight[c] += dy[c] * (x[c] - m) * s;
      dbias[c] += dy[c];
    }
  });
  parallel_ranges(rows, 4 * cols, [&](int64_t b, int64_t e) {
    layernorm_backward_rows(din + b * cols, dout + b * cols, in + b * cols, mean + b, rstd + b,
                            weight, e - b, cols);
  });
}

}  // namespace greenbert
