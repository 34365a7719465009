#include "kernels/bf16.h"

#include "kernels/parallel.h"

namespace greenbert {

namespace {

GREENBERT_ISA_CLONES
void to_bf16_rows(uint16_t* dst, const float* src, int64_t rows, int64_t cols, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[r * cols + c] = to_bf16(src[r * ld + c]);
}

GREENBERT_ISA_CLONES
void round_to_bf16_rows(float* dst, const float* src, int64_t rows, int64_t cols, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[r * cols + c] = round_to_bf16(src[r * ld + c]);
}

}  // namespace

void to_bf16_strided(uint16_t* dst, const float* src, int64_t rows, int64_t cols, int64_t ld) {
  parallel_ranges(rows, cols, [&](int64_t b, int64_t e) {
    to_bf16_rows(dst + b * cols, src + b * ld, e - b, cols, ld);
  });
}

void round_to_bf16_strided(float* dst, const float* src, int64_t rows, int64_t cols, int64_t ld) {
  parallel_ranges(rows, cols, [&](int64_t b, int64_t e) {
    round_to_bf16_rows(dst + b * cols, src + b * ld, e - b, cols, ld);
  });
}

}  // namespace greenbert
