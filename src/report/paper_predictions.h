#pragma once
// What a configuration's per-paper predictions (`greenbert eval --json` version 2, "papers")
// say beyond one F1:
//
//   interval     a percentile bootstrap 95 % interval on micro- and macro-F1: the test papers
//                resampled with replacement (kBootstrapResamples times, seeded), F1 recomputed
//                from the resample's counts. Two configurations are told apart only when their
//                intervals do not overlap.
//   priors only  the share of papers given the most common predicted label set; at or above
//                kPriorsOnlyShare the model predicts (nearly) the same labels for every paper,
//                i.e. it learned the label priors and not the papers, and is never recommended.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace greenbert {

inline constexpr int kBootstrapResamples = 1000;
inline constexpr double kPriorsOnlyShare = 0.9;

struct PaperPredictions {
  std::vector<std::vector<int32_t>> truth, predicted;  // label ids per paper, test-split order
};

struct Interval {
  double low = 0, high = 0;

  bool below(const Interval& other) const { return high < other.low; }
  bool overlaps(const Interval& other) const { return !below(other) && !other.below(*this); }
};

struct PredictionSummary {
  Interval micro_f1, macro_f1;  // bootstrap 95 %
  double modal_share = 0;       // share of papers given the most common predicted label set
  bool priors_only() const { return modal_share >= kPriorsOnlyShare; }
};

// Every paper's true labels (targets) and the labels at or above their threshold.
// probabilities, targets (papers, labels); thresholds (labels), or one for every label.
PaperPredictions paper_predictions(std::span<const float> probabilities,
                                   std::span<const uint8_t> targets, int64_t labels,
                                   std::span<const float> thresholds);

// eval's "papers" object ({"true": [[ids]...], "predicted": [[ids]...]}), as report/eval_record.h
// writes and reads it.
nlohmann::ordered_json to_json(const PaperPredictions& papers);
// Throws greenbert::Error naming `source` when it is malformed.
PaperPredictions paper_predictions_from_json(const nlohmann::json& papers,
                                             const std::string& source);

// Macro-F1 averages over `labels` labels (the model's). Empty when there are no papers.
std::optional<PredictionSummary> summarize_predictions(const PaperPredictions& papers,
                                                       int64_t labels, uint64_t seed = 42);

}  // namespace greenbert
