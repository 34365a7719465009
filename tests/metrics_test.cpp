#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "core/error.h"
#include "report/metrics.h"

namespace greenbert {
namespace {

struct Case {
  std::vector<float> probabilities;
  std::vector<uint8_t> targets;
  int64_t labels;
};

Case random_case(int64_t examples, int64_t labels, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  Case c{{}, {}, labels};
  for (int64_t i = 0; i < examples * labels; ++i) {
    uint8_t target = uniform(rng) < 0.3f;
    c.targets.push_back(target);
    // Informative but noisy scores.
    c.probabilities.push_back(std::clamp(0.35f * target + 0.8f * uniform(rng) - 0.1f, 0.f, 1.f));
  }
  return c;
}

// Straightforward set-based definitions, written independently of the implementation.
TEST(Metrics, MatchNaiveDefinitions) {
  auto c = random_case(200, 7, 1);
  float threshold = 0.5f;
  auto m = compute_metrics(c.probabilities, c.targets, c.labels, {&threshold, 1});
  double tp = 0, fp = 0, fn = 0, exact = 0, correct = 0, macro = 0;
  for (int64_t l = 0; l < c.labels; ++l) {
    double ltp = 0, lfp = 0, lfn = 0;
    for (int64_t e = 0; e < 200; ++e) {
      bool p = c.probabilities[e * c.labels + l] >= threshold, t = c.targets[e * c.labels + l];
      ltp += p && t;
      lfp += p && !t;
      lfn += !p && t;
    }
    tp += ltp, fp += lfp, fn += lfn;
    macro += (2 * ltp + lfp + lfn) > 0 ? 2 * ltp / (2 * ltp + lfp + lfn) : 0;
  }
  for (int64_t e = 0; e < 200; ++e) {
    bool row = true;
    for (int64_t l = 0; l < c.labels; ++l) {
      bool ok =
          (c.probabilities[e * c.labels + l] >= threshold) == (c.targets[e * c.labels + l] != 0);
      correct += ok;
      row = row && ok;
    }
    exact += row;
  }
  EXPECT_DOUBLE_EQ(m.micro_precision, tp / (tp + fp));
  EXPECT_DOUBLE_EQ(m.micro_recall, tp / (tp + fn));
  EXPECT_DOUBLE_EQ(m.micro_f1, 2 * tp / (2 * tp + fp + fn));
  EXPECT_DOUBLE_EQ(m.macro_f1, macro / static_cast<double>(c.labels));
  EXPECT_DOUBLE_EQ(m.subset_accuracy, exact / 200);
  EXPECT_DOUBLE_EQ(m.element_accuracy, correct / (200.0 * static_cast<double>(c.labels)));
  EXPECT_DOUBLE_EQ(m.hamming_loss, 1 - m.element_accuracy);
}

TEST(Metrics, HandWorkedExample) {
  // 2 examples × 3 labels.   predicted (>=0.5)   targets
  //                          1 0 1               1 1 0
  //                          0 0 1               0 0 1
  std::vector<float> p{0.9f, 0.2f, 0.6f, 0.1f, 0.4f, 0.7f};
  std::vector<uint8_t> t{1, 1, 0, 0, 0, 1};
  float threshold = 0.5f;
  auto m = compute_metrics(p, t, 3, {&threshold, 1});
  EXPECT_DOUBLE_EQ(m.micro_precision, 2.0 / 3.0);  // tp 2, fp 1
  EXPECT_DOUBLE_EQ(m.micro_recall, 2.0 / 3.0);     // fn 1
  EXPECT_DOUBLE_EQ(m.subset_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.element_accuracy, 4.0 / 6.0);
  // label F1s: 1, 0, 2/3 → macro 5/9
  EXPECT_DOUBLE_EQ(m.macro_f1, 5.0 / 9.0);
  EXPECT_EQ(m.per_label[1].support, 1);
}

TEST(Metrics, MissedLabelsAreFalseNegativesOfTheMicroAveragesOnly) {
  // The hand-worked example (tp 2, fp 1, fn 1) with 2 more true labels the model has no column
  // for: fn 3.
  std::vector<float> p{0.9f, 0.2f, 0.6f, 0.1f, 0.4f, 0.7f};
  std::vector<uint8_t> t{1, 1, 0, 0, 0, 1};
  float threshold = 0.5f;
  auto m = compute_metrics(p, t, 3, {&threshold, 1});
  count_missed_labels(m, 2);
  EXPECT_DOUBLE_EQ(m.micro_precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.micro_recall, 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(m.micro_f1, 4.0 / 8.0);  // 2tp / (2tp + fp + fn)
  EXPECT_DOUBLE_EQ(m.macro_f1, 5.0 / 9.0);
}

TEST(Metrics, PerLabelThresholdsApplyPerColumn) {
  std::vector<float> p{0.3f, 0.3f};
  std::vector<uint8_t> t{1, 0};
  std::vector<float> thresholds{0.2f, 0.5f};
  auto m = compute_metrics(p, t, 2, thresholds);
  EXPECT_EQ(m.per_label[0].true_positives, 1);
  EXPECT_EQ(m.per_label[1].false_positives, 0);
  EXPECT_DOUBLE_EQ(m.subset_accuracy, 1.0);
}

TEST(Metrics, RejectsInconsistentShapes) {
  std::vector<float> p(6);
  std::vector<uint8_t> t(5);
  float threshold = 0.5f;
  EXPECT_THROW(compute_metrics(p, t, 3, {&threshold, 1}), Error);
  std::vector<uint8_t> t6(6);
  std::vector<float> two{0.5f, 0.5f};
  EXPECT_THROW(compute_metrics(p, t6, 3, two), Error);
}

TEST(Thresholds, TunedGlobalIsTheBestOnTheGrid) {
  auto c = random_case(300, 5, 2);
  auto choice = tune_thresholds(c.probabilities, c.targets, c.labels, 5);
  for (int i = 1; i <= 19; ++i) {
    float t = 0.05f * static_cast<float>(i);
    EXPECT_GE(choice.global_micro_f1 + 1e-12,
              compute_metrics(c.probabilities, c.targets, c.labels, {&t, 1}).micro_f1);
  }
  float at_global = choice.global;
  EXPECT_DOUBLE_EQ(choice.global_micro_f1,
                   compute_metrics(c.probabilities, c.targets, c.labels, {&at_global, 1}).micro_f1);
  // Per-label tuning maximises each label's F1, so each label does at least as well.
  auto global = compute_metrics(c.probabilities, c.targets, c.labels, {&at_global, 1});
  auto tuned = compute_metrics(c.probabilities, c.targets, c.labels, choice.per_label);
  for (int64_t l = 0; l < c.labels; ++l)
    EXPECT_GE(tuned.per_label[l].f1 + 1e-12, global.per_label[l].f1);
}

TEST(Thresholds, RareLabelsKeepTheGlobalThreshold) {
  auto c = random_case(50, 3, 3);
  for (int64_t e = 0; e < 50; ++e) c.targets[e * 3 + 2] = e == 0;  // one positive only
  auto choice = tune_thresholds(c.probabilities, c.targets, c.labels, 10);
  EXPECT_EQ(choice.per_label[2], choice.global);
}

TEST(Metrics, JsonNamesEveryLabel) {
  std::vector<float> p{0.9f, 0.1f};
  std::vector<uint8_t> t{1, 0};
  float threshold = 0.5f;
  auto m = compute_metrics(p, t, 2, {&threshold, 1});
  std::vector<std::string> names{"cs.LG", "cs.CV"};
  auto json = to_json(m, names);
  EXPECT_DOUBLE_EQ(json["micro_f1"].get<double>(), 1.0);
  EXPECT_EQ(json["per_label"]["cs.LG"]["support"].get<int>(), 1);
}

}  // namespace
}  // namespace greenbert
