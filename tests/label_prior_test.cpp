// The classifier bias a fresh head starts from: the log-odds of each label in the training split.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "infer_support.h"
#include "train/label_prior.h"

namespace greenbert {
namespace {

Example with_labels(std::vector<int32_t> labels) {
  return {"", "text", std::move(labels), {}};
}

TEST(LabelPrior, ClassifierBiasIsTheSmoothedLogOddsOfEachLabel) {
  for (ModelType type : {ModelType::bert, ModelType::distilbert}) {
    const BertConfig config = testing::small_config(type, 1);  // labels a..e
    ParameterBuffer params = testing::random_parameters(config, 3);
    const std::vector<float> before(params.view("classifier.weight").begin(),
                                    params.view("classifier.weight").end());
    // 4 examples: a in 3, b in 1, c in all 4, d and e in none.
    const std::vector<Example> train{with_labels({0, 2}), with_labels({0, 1, 2}),
                                     with_labels({0, 2}), with_labels({2})};
    init_head_bias_to_label_prior(params, train);
    const auto bias = params.view("classifier.bias");
    const double carrying[] = {3, 1, 4, 0, 0};
    for (size_t l = 0; l < 5; ++l) {
      const double p = (carrying[l] + 0.5) / 5.0;
      EXPECT_NEAR(bias[l], std::log(p / (1 - p)), 1e-6) << l;
    }
    EXPECT_GT(bias[2], 0.0f);  // a label on every paper starts above 0.5, a rare one far below
    EXPECT_LT(bias[3], -1.5f);
    // Only the bias changes.
    EXPECT_EQ(std::vector<float>(params.view("classifier.weight").begin(),
                                 params.view("classifier.weight").end()),
              before);
  }
}

TEST(LabelPrior, RefusesALabelTheHeadLacks) {
  const BertConfig config = testing::small_config(ModelType::bert, 1);
  ParameterBuffer params = testing::random_parameters(config, 3);
  const std::vector<Example> train{with_labels({5})};
  EXPECT_THROW(init_head_bias_to_label_prior(params, train), Error);
}

}  // namespace
}  // namespace greenbert
