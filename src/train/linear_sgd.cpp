#include "train/linear_sgd.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/loss.h"

namespace greenbert {

double linear_sgd_step(LinearModel& model, std::span<const Feature> features,
                       std::span<const float> targets, float lr, LinearStepScratch& s) {
  const LinearConfig& c = model.config;
  const int64_t W = c.width(), L = c.num_labels();
  if (static_cast<int64_t>(targets.size()) != L)
    fail("linear step: ", targets.size(), " targets for ", L, " labels");
  s.hidden.resize(static_cast<size_t>(W));
  s.logits.resize(static_cast<size_t>(L));
  s.gradient.resize(static_cast<size_t>(L));
  linear_forward(model, features, s.hidden, s.logits);
  // bce_with_logits averages over the labels; the loss here sums them.
  const double loss = bce_with_logits(s.logits.data(), targets.data(), L, s.gradient.data()) *
                      static_cast<double>(L);
  for (float& g : s.gradient) g *= static_cast<float>(L);
  for (int64_t l = 0; l < L; ++l) model.output_bias[size_t(l)] -= lr * s.gradient[size_t(l)];
  const float* direction = s.gradient.data();  // ∂loss/∂hidden
  if (c.dim > 0) {
    s.d_hidden.assign(static_cast<size_t>(W), 0.0f);
    for (int64_t l = 0; l < L; ++l) {
      float* row = model.output_weight.data() + l * W;
      const float g = s.gradient[size_t(l)];
      for (int64_t j = 0; j < W; ++j) {
        s.d_hidden[size_t(j)] += g * row[j];  // the row before this step's change
        row[j] -= lr * g * s.hidden[size_t(j)];
      }
    }
    direction = s.d_hidden.data();
  }
  for (const Feature& f : features) {
    float* row = model.input.data() + int64_t(f.index) * W;
    const float step = lr * f.weight;
    for (int64_t j = 0; j < W; ++j) row[j] -= step * direction[j];
  }
  return loss;
}

}  // namespace greenbert
