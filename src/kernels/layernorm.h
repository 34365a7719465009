#pragma once
// LayerNorm over the last dimension: y = (x - mean) · rstd · weight + bias, with
// rstd = 1 / sqrt(var + eps) and the biased variance, as torch.nn.LayerNorm.
#include <cstdint>

namespace greenbert {

// out (rows, cols), mean (rows), rstd (rows), in (rows, cols), weight (cols), bias (cols).
// mean and rstd are kept for the backward pass.
void layernorm_forward(float* out, float* mean, float* rstd, const float* in, const float* weight,
                       const float* bias, int64_t rows, int64_t cols, float eps);

// din (rows, cols) = ∂loss/∂in (overwritten); dweight (cols) and dbias (cols) accumulate.
// dout (rows, cols), in/mean/rstd as saved by the forward, weight (cols). din may alias dout.
void layernorm_backward(float* din, float* dweight, float* dbias, const float* dout,
                        const float* in, const float* mean, const float* rstd, const float* weight,
                        int64_t rows, int64_t cols);

}  // namespace greenbert
