#include "train/label_prior.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace greenbert {

std::vector<float> label_prior_logits(std::span<const Example> train, size_t labels) {
  std::vector<double> carrying(labels, 0.0);
  for (const Example& example : train)
    for (int32_t label : example.labels) {
      if (label < 0 || static_cast<size_t>(label) >= labels)
        fail("label id ", label, " is outside the classifier's ", labels, " labels");
      carrying[static_cast<size_t>(label)] += 1;
    }
  const double n = static_cast<double>(train.size());
  std::vector<float> logits(labels);
  for (size_t l = 0; l < labels; ++l) {
    const double p = (carrying[l] + 0.5) / (n + 1.0);
    logits[l] = static_cast<float>(std::log(p / (1.0 - p)));
  }
  return logits;
}

void init_head_bias_to_label_prior(ParameterBuffer& params, std::span<const Example> train) {
  std::span<float> bias = params.view("classifier.bias");
  const std::vector<float> prior = label_prior_logits(train, bias.size());
  std::copy(prior.begin(), prior.end(), bias.begin());
}

}  // namespace greenbert
