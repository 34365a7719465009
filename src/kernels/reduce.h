#pragma once
// Deterministic column reductions over row-major (rows, cols) data: threads own disjoint column
// blocks and visit rows in order, so every sum is formed in the same order whatever the thread
// count (bias, LayerNorm and embedding gradients are bit-reproducible across thread counts).
#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "kernels/parallel.h"

namespace greenbert {

// Calls body(r, c0, c1) for every row r in order, for column blocks [c0, c1) split across threads.
template <typename Body>
void column_reduce(int64_t rows, int64_t cols, Body&& body) {
  constexpr int64_t kBlock = 64;  // 4 cache lines: blocks never share a line between threads
  int64_t blocks = (cols + kBlock - 1) / kBlock;
#pragma omp parallel if (parallel_worth(rows * cols))
  {
    int threads = omp_get_num_threads(), thread = omp_get_thread_num();
    int64_t per = (blocks + threads - 1) / threads;
    int64_t c0 = std::min(cols, thread * per * kBlock);
    int64_t c1 = std::min(cols, (thread + 1) * per * kBlock);
    if (c0 < c1)
      for (int64_t r = 0; r < rows; ++r) body(r, c0, c1);
  }
}

// dbias (cols) += Σ_rows dy (rows, cols)
void bias_backward(float* dbias, const float* dy, int64_t rows, int64_t cols);

}  // namespace greenbert
