#include "kernels/embedding.h"

#include "kernels/parallel.h"
#include "kernels/reduce.h"

namespace greenbert {

void embedding_forward(float* out, const float* table, const int32_t* ids, int64_t tokens,
                       int64_t cols, bool accumulate) {
#pragma omp parallel for schedule(static) if (parallel_worth(tokens * cols))
  for (int64_t t = 0; t < tokens; ++t) {
    const float* row = table + static_cast<int64_t>(ids[t]) * cols;
    float* y = out + t * cols;
    if (accumulate) {
#pragma omp simd
      for (int64_t c = 0; c < cols; ++c) y[c] += row[c];
    } else {
#pragma omp simd
      for (int64_t c = 0; c < cols; ++c) y[c] = row[c];
    }
  }
}

void embedding_backward(float* dtable, const float* dout, const int32_t* ids, int64_t tokens,
                        int64_t cols, int32_t skip_id) {
  column_reduce(tokens, cols, [&](int64_t t, int64_t c0, int64_t c1) {
    if (ids[t] == skip_id) return;
    float* row = dtable + static_cast<int64_t>(ids[t]) * cols;
    const float* dy = dout + t * cols;
#pragma omp simd
    for (int64_t c = c0; c < c1; ++c) row[c] += dy[c];
  });
}

}  // namespace greenbert
