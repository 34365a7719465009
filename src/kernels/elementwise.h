#pragma once
// Element-wise kernels: activation functions and their derivatives, and addition. GELU is the exact
// erf form (HF hidden_act "gelu"), evaluated with a vectorised erf accurate to ~1e-7.
#include <cstdint>

namespace greenbert {

// out (n) = gelu(in (n)); out may alias in
void gelu_forward(float* out, const float* in, int64_t n);
// din (n) = dout (n) · gelu'(in (n)); din may alias dout
void gelu_backward(float* din, const float* dout, const float* in, int64_t n);
// pre (rows, cols) = in (rows, cols) + bias (cols); out (rows, cols) = gelu(pre).
// pre may alias in (then the bias is added in place); pre is what gelu_backward needs.
void bias_gelu_forward(float* pre, float* out, const float* in, const float* bias, int64_t rows,
                       int64_t cols);

// out (n) = tanh(in (n)); out may alias in
void tanh_forward(float* out, const float* in, int64_t n);
// din (n) = dout (n) · (1 - out²), from the forward's output; din may alias dout
void tanh_backward(float* din, const float* dout, const float* out, int64_t n);

// out (n) = max(in (n), 0); out may alias in
void relu_forward(float* out, const float* in, int64_t n);
// din (n) = dout (n) where out > 0, else 0; din may alias dout
void relu_backward(float* din, const float* dout, const float* out, int64_t n);

// out (n) = a (n) + b (n); out may alias either
void add(float* out, const float* a, const float* b, int64_t n);

}  // namespace greenbert
