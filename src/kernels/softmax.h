#pragma once
// Row-wise softmax, numerically stable (max subtracted), and its backward pass.
#include <cstdint>

namespace greenbert {

// out (rows, cols) = softmax of each row of in (rows, cols); out may alias in
void softmax_forward(float* out, const float* in, int64_t rows, int64_t cols);
// din (rows, cols) = out ⊙ (dout - Σ_row dout·out); din may alias dout
void softmax_backward(float* din, const float* dout, const float* out, int64_t rows, int64_t cols);

}  // namespace greenbert
