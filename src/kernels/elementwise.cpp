#include "kernels/elementwise.h"

#include <cmath>

#include "kernels/parallel.h"
#include "kernels/vec_math.h"

namespace greenbert {

namespace {

GREENBERT_ISA_CLONES
void gelu_block(float* out, const float* in, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = vec::gelu(in[i]);
}

GREENBERT_ISA_CLONES
void gelu_backward_block(float* din, const float* dout, const float* in, int64_t n) {
  for (int64_t i = 0; i < n; ++i) din[i] = dout[i] * vec::gelu_grad(in[i]);
}

GREENBERT_ISA_CLONES
void bias_gelu_rows(float* pre, float* out, const float* in, const float* bias, int64_t rows,
                    int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      float v = in[r * cols + c] + bias[c];
      pre[r * cols + c] = v;
      out[r * cols + c] = vec::gelu(v);
    }
}

GREENBERT_ISA_CLONES
void add_block(float* out, const float* a, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

}  // namespace

void gelu_forward(float* out, const float* in, int64_t n) {
  // GELU costs ~30 flops per value: worth a team at fewer values than a plain copy.
  parallel_ranges(n, 8, [&](int64_t b, int64_t e) { gelu_block(out + b, in + b, e - b); });
}

void gelu_backward(float* din, const float* dout, const float* in, int64_t n) {
  parallel_ranges(
      n, 8, [&](int64_t b, int64_t e) { gelu_backward_block(din + b, dout + b, in + b, e - b); });
}

void bias_gelu_forward(float* pre, float* out, const float* in, const float* bias, int64_t rows,
                       int64_t cols) {
  parallel_ranges(rows, 8 * cols, [&](int64_t b, int64_t e) {
    bias_gelu_rows(pre + b * cols, out + b * cols, in + b * cols, bias, e - b, cols);
  });
}

void tanh_forward(float* out, const float* in, int64_t n) {
  // Only the pooler uses tanh (batch × hidden values): libm's accuracy is worth more than speed.
  for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
}

void tanh_backward(float* din, const float* dout, const float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) din[i] = dout[i] * (1.0f - out[i] * out[i]);
}

void relu_forward(float* out, const float* in, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void relu_backward(float* din, const float* dout, const float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) din[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}

void add(float* out, const float* a, const float* b, int64_t n) {
  parallel_ranges(n, 1,
                  [&](int64_t b0, int64_t e) { add_block(out + b0, a + b0, b + b0, e - b0); });
}

}  // namespace greenbert
