#include "train/threshold_mode.h"

#include <cstdio>
#include <vector>

#include "core/error.h"
#include "core/number_format.h"
#include "report/metrics.h"

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

ThresholdResult choose_thresholds(std::span<const float> val_probabilities,
                                  std::span<const uint8_t> val_targets,
                                  std::span<const float> test_probabilities,
                                  std::span<const uint8_t> test_targets,
                                  const std::vector<std::string>& names) {
  const auto labels = static_cast<int64_t>(names.size());
  ThresholdResult r;
  r.choice = tune_thresholds(val_probabilities, val_targets, labels);
  r.mode = choose_threshold_mode(val_probabilities, val_targets, labels);
  r.thresholds = {r.choice.global, r.choice.per_label, r.mode.use_per_label};
  auto metrics_at = [&](std::span<const float> p, std::span<const uint8_t> targets,
                        std::span<const float> thresholds) -> nlohmann::ordered_json {
    if (p.empty()) return nullptr;
    return to_json(compute_metrics(p, targets, labels, thresholds), names);
  };
  nlohmann::ordered_json per_label = nlohmann::ordered_json::object();
  for (size_t l = 0; l < names.size(); ++l) per_label[names[l]] = r.choice.per_label[l];
  const float half = 0.5f;
  auto& m = r.metrics;
  m["threshold"] = {{"global", r.choice.global},
                    {"per_label_available", true},
                    {"use_per_label", r.mode.use_per_label},
                    {"choice", to_json(r.mode)},
                    {"val_micro_f1_global", r.choice.global_micro_f1},
                    {"val_micro_f1_per_label", r.choice.per_label_micro_f1},
                    {"per_label", per_label}};
  m["val"] = metrics_at(val_probabilities, val_targets, r.thresholds.effective());
  m["test"] = metrics_at(test_probabilities, test_targets, r.thresholds.effective());
  m["test_global_threshold"] = metrics_at(test_probabilities, test_targets, {&r.choice.global, 1});
  m["test_threshold_0.5"] = metrics_at(test_probabilities, test_targets, {&half, 1});
  m["test_per_label_thresholds"] = metrics_at(test_probabilities, test_targets, r.choice.per_label);
  return r;
}

void print_test_line(const ThresholdResult& r, int64_t test_examples) {
  const auto& test = r.metrics["test"];
  if (test.is_null()) return;
  std::fprintf(stderr,
               "test: micro-F1 %.4f, macro-F1 %.4f (%s); micro-F1 %.4f at 0.5 (%lld examples)\n",
               test["micro_f1"].get<double>(), test["macro_f1"].get<double>(),
               r.mode.use_per_label ? "per-label thresholds"
                                    : cat("threshold ", fixed(r.choice.global, 2)).c_str(),
               r.metrics["test_threshold_0.5"]["micro_f1"].get<double>(),
               static_cast<long long>(test_examples));
}

}  // namespace greenbert
