#include "kernels/bf16.h"
#include "kernels/parallel.h"

namespace greenbert {

void to_bf16_strided(uint16_t* dst, const float* src, int64_t rows, int64_t cols, int64_t ld) {
#pragma omp parallel for schedule(static) if (parallel_worth(rows * cols))
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = src + r * ld;
    uint16_t* out = dst + r * cols;
    for (int64_t c = 0; c < cols; ++c) out[c] = to_bf16(in[c]);
  }
}

}  // namespace greenbert
