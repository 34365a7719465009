#pragma once
// Losses on logits: multi-label sigmoid + binary cross-entropy, as torch.nn.BCEWithLogitsLoss
// with reduction "mean" (over batch × labels), and softmax cross-entropy for masked tokens.
#include <cstdint>

namespace greenbert {

// logits (n), targets (n) in [0, 1]; returns mean_i [max(x,0) - x·y + log(1 + e^-|x|)], summed
// in double in index order. If dlogits (n) is given, writes ∂loss/∂logits = (σ(x) - y) / n.
float bce_with_logits(const float* logits, const float* targets, int64_t n,
                      float* dlogits = nullptr);

// Softmax cross-entropy over `classes` per row (masked-language-model loss):
// row_loss (rows) = -log softmax(logits row)[target]; returns their mean (summed in row order).
// If dlogits (rows, classes) is given: (softmax - onehot(target)) / rows; it may alias logits.
// logits (rows, classes), targets (rows) in [0, classes)
float softmax_cross_entropy(const float* logits, const int32_t* targets, int64_t rows,
                            int64_t classes, float* row_loss, float* dlogits = nullptr);

// σ(x) (n) for predictions.
void sigmoid(float* out, const float* logits, int64_t n);

}  // namespace greenbert
