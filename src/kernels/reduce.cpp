#include "kernels/reduce.h"

namespace greenbert {

void bias_backward(float* dbias, const float* dy, int64_t rows, int64_t cols) {
  column_reduce(rows, cols, [&](int64_t r, int64_t c0, int64_t c1) {
    const float* row = dy + r * cols;
#pragma omp simd
    for (int64_t c = c0; c < c1; ++c) dbias[c] += row[c];
  });
}

}  // namespace greenbert
