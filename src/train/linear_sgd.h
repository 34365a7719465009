#pragma once
// One stochastic-gradient step of the linear baseline (model/linear_model.h) on one example,
// the way fastText's one-vs-all loss trains: the loss is the sum over labels of the binary
// cross-entropy of sigmoid(logit_l) against target_l, and every parameter the example touches
// moves by -lr · ∂loss/∂parameter (the rows of its features, the output layer, the bias).
#include <span>
#include <vector>

#include "model/linear_model.h"

namespace greenbert {

// Buffers one step reuses (sized on first use).
struct LinearStepScratch {
  std::vector<float> hidden, logits, gradient, d_hidden;
};

// features: one example's (linear_features); targets (labels) in [0, 1]. Returns the example's
// loss before the step, summed over labels.
double linear_sgd_step(LinearModel& model, std::span<const Feature> features,
                       std::span<const float> targets, float lr, LinearStepScratch& scratch);

}  // namespace greenbert
