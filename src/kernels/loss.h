#pragma once
// Multi-label loss: sigmoid + binary cross-entropy on logits, as torch.nn.BCEWithLogitsLoss
// with reduction "mean" (over batch × labels).
#include <cstdint>

namespace greenbert {

// logits (n), targets (n) in [0, 1]; returns mean_i [max(x,0) - x·y + log(1 + e^-|x|)], summed
// in double in index order. If dlogits (n) is given, writes ∂loss/∂logits = (σ(x) - y) / n.
float bce_with_logits(const float* logits, const float* targets, int64_t n,
                      float* dlogits = nullptr);

// σ(x) (n) for predictions.
void sigmoid(float* out, const float* logits, int64_t n);

}  // namespace greenbert
