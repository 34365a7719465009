#include "train/threshold_mode.h"

#include <vector>

#include "core/error.h"
#include "train/metrics.h"

namespace greenbert {
namespace {

struct Half {
  std::vector<float> probabilities;
  std::vector<uint8_t> targets;
};

// Rows of one parity.
Half half(std::span<const float> probabilities, std::span<const uint8_t> targets, int64_t labels,
          int64_t parity) {
  Half h;
  const int64_t examples = static_cast<int64_t>(targets.size()) / labels;
  for (int64_t e = parity; e < examples; e += 2) {
    const auto begin = static_cast<size_t>(e * labels), end = begin + static_cast<size_t>(labels);
    h.probabilities.insert(h.probabilities.end(), probabilities.begin() + begin,
                           probabilities.begin() + end);
    h.targets.insert(h.targets.end(), targets.begin() + begin, targets.begin() + end);
  }
  return h;
}

// Adds one half's counts into `into` (label by label), so that F1s come from both halves'
// predictions together.
void add_counts(MultiLabelMetrics& into, const MultiLabelMetrics& m) {
  if (into.per_label.empty()) into.per_label.resize(m.per_label.size());
  for (size_t l = 0; l < m.per_label.size(); ++l) {
    into.per_label[l].true_positives += m.per_label[l].true_positives;
    into.per_label[l].false_positives += m.per_label[l].false_positives;
    into.per_label[l].false_negatives += m.per_label[l].false_negatives;
  }
}

std::pair<double, double> micro_macro(const MultiLabelMetrics& m) {
  int64_t tp = 0, fp = 0, fn = 0;
  double f1_sum = 0;
  for (const LabelScores& s : m.per_label) {
    tp += s.true_positives, fp += s.false_positives, fn += s.false_negatives;
    const int64_t d = 2 * s.true_positives + s.false_positives + s.false_negatives;
    f1_sum += d > 0 ? 2.0 * static_cast<double>(s.true_positives) / static_cast<double>(d) : 0.0;
  }
  const int64_t d = 2 * tp + fp + fn;
  return {d > 0 ? 2.0 * static_cast<double>(tp) / static_cast<double>(d) : 0.0,
          m.per_label.empty() ? 0.0 : f1_sum / static_cast<double>(m.per_label.size())};
}

}  // namespace

ThresholdModeEvidence choose_threshold_mode(std::span<const float> probabilities,
                                            std::span<const uint8_t> targets, int64_t labels,
                                            int64_t min_support) {
  if (labels <= 0 || targets.size() != probabilities.size() ||
      static_cast<int64_t>(targets.size()) % labels != 0)
    fail("threshold mode: ", probabilities.size(), " probabilities and ", targets.size(),
         " targets for ", labels, " labels");
  const Half halves[2] = {half(probabilities, targets, labels, 0),
                          half(probabilities, targets, labels, 1)};
  MultiLabelMetrics global, per_label;
  for (int tuned = 0; tuned < 2; ++tuned) {
    const Half& fit = halves[tuned];
    const Half& score = halves[1 - tuned];
    if (fit.targets.empty() || score.targets.empty()) continue;
    const ThresholdChoice choice =
        tune_thresholds(fit.probabilities, fit.targets, labels, (min_support + 1) / 2);
    add_counts(global,
               compute_metrics(score.probabilities, score.targets, labels, {&choice.global, 1}));
    add_counts(per_label,
               compute_metrics(score.probabilities, score.targets, labels, choice.per_label));
  }
  ThresholdModeEvidence e;
  std::tie(e.global_micro_f1, e.global_macro_f1) = micro_macro(global);
  std::tie(e.per_label_micro_f1, e.per_label_macro_f1) = micro_macro(per_label);
  e.use_per_label = e.per_label_macro_f1 >= e.global_macro_f1 + kMinMacroGain &&
                    e.per_label_micro_f1 >= e.global_micro_f1 - kMaxMicroLoss;
  return e;
}

nlohmann::ordered_json to_json(const ThresholdModeEvidence& e) {
  return {{"method", "2-fold on validation: tuned on one half, scored on the other"},
          {"global_micro_f1", e.global_micro_f1},
          {"global_macro_f1", e.global_macro_f1},
          {"per_label_micro_f1", e.per_label_micro_f1},
          {"per_label_macro_f1", e.per_label_macro_f1},
          {"min_macro_gain", kMinMacroGain},
          {"max_micro_loss", kMaxMicroLoss},
          {"use_per_label", e.use_per_label}};
}

}  // namespace greenbert
