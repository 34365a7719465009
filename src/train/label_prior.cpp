#include "train/label_prior.h"

#include <cmath>
#include <vector>

#include "core/error.h"

namespace greenbert {

void init_head_bias_to_label_prior(ParameterBuffer& params, std::span<const Example> train) {
  std::span<float> bias = params.view("classifier.bias");
  std::vector<double> carrying(bias.size(), 0.0);
  for (const Example& example : train)
    for (int32_t label : example.labels) {
      if (label < 0 || static_cast<size_t>(label) >= bias.size())
        fail("label id ", label, " is outside the classifier's ", bias.size(), " labels");
      carrying[static_cast<size_t>(label)] += 1;
    }
  const double n = static_cast<double>(train.size());
  for (size_t l = 0; l < bias.size(); ++l) {
    const double p = (carrying[l] + 0.5) / (n + 1.0);
    bias[l] = static_cast<float>(std::log(p / (1.0 - p)));
  }
}

}  // namespace greenbert
