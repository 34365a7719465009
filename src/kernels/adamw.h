#pragma once
// AdamW (decoupled weight decay, Loshchilov & Hutter) exactly as torch.optim.AdamW (amsgrad off),
// and global-norm gradient clipping as torch.nn.utils.clip_grad_norm_.
#include <cstdint>

namespace greenbert {

struct AdamWHyper {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
};

// One update of n parameters at step `step` (1 for the first update; drives bias correction):
//   p ← p·(1 - lr·wd);  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²
//   p ← p - lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)
// param, grad, m, v (n). Pass weight_decay 0 for parameters that take none (biases, LayerNorm).
void adamw_update(float* param, const float* grad, float* m, float* v, int64_t n,
                  const AdamWHyper& hyper, int64_t step);

// sqrt(Σ g²) of grad (n), accumulated in double over fixed 4096-element chunks summed in order
// (bit-reproducible for any thread count).
double global_norm(const float* grad, int64_t n);

// Multiplies grad (n) by max_norm / (norm + 1e-6) when that is below 1; returns that factor
// (1 when nothing was clipped). `norm` is global_norm of all gradients clipped together.
float clip_factor(double norm, float max_norm);
void scale(float* x, int64_t n, float factor);

}  // namespace greenbert
