#pragma once
// Whether a model's predictions should use its per-label thresholds or its global one, decided
// on evidence the tuning did not see. Thresholds tuned on validation always look better on
// validation, so validation is cut in two halves (even and odd examples): thresholds tuned on
// one half (report/metrics.h: tune_thresholds, half its min_support) are scored on the other,
// both ways, and the scores summed over the two halves' predictions.
//
// Per-label thresholds are chosen when they help macro-F1 (rare labels are the ones a global
// threshold fails) by at least kMinMacroGain without costing micro-F1, the headline, more than
// kMaxMicroLoss.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model_directory.h"
#include "report/metrics.h"

namespace greenbert {

inline constexpr double kMinMacroGain = 0.005;
inline constexpr double kMaxMicroLoss = 0.002;

struct ThresholdModeEvidence {
  double global_micro_f1 = 0, global_macro_f1 = 0;        // held out, one global threshold
  double per_label_micro_f1 = 0, per_label_macro_f1 = 0;  // held out, per-label thresholds
  bool use_per_label = false;
};

// probabilities and targets (examples, labels) of the validation split.
ThresholdModeEvidence choose_threshold_mode(std::span<const float> probabilities,
                                            std::span<const uint8_t> targets, int64_t labels,
                                            int64_t min_support = 10);

nlohmann::ordered_json to_json(const ThresholdModeEvidence& evidence);

// What a finished training run keeps and reports about its thresholds.
struct ThresholdResult {
  ThresholdChoice choice;
  ThresholdModeEvidence mode;
  Thresholds thresholds;  // what predictions use (thresholds.json)
  // metrics.json's "threshold", "val" (at `thresholds`), "test" (likewise),
  // "test_global_threshold", "test_threshold_0.5" and "test_per_label_thresholds" (the test
  // entries null when there is no test split), in that order.
  nlohmann::ordered_json metrics;
};

// Tunes thresholds on the validation split, chooses the mode, and scores both splits.
// probabilities and targets (examples, labels) row-major; test ones empty without a test split.
ThresholdResult choose_thresholds(std::span<const float> val_probabilities,
                                  std::span<const uint8_t> val_targets,
                                  std::span<const float> test_probabilities,
                                  std::span<const uint8_t> test_targets,
                                  const std::vector<std::string>& labels);

// "test: micro-F1 ..., macro-F1 ... (threshold 0.30); micro-F1 ... at 0.5 (N examples)" on
// stderr; nothing without a test split.
void print_test_line(const ThresholdResult& result, int64_t test_examples);

}  // namespace greenbert
