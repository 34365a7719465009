#pragma once
// Multi-label classification metrics, as the study reported them (micro-F1 is the headline)
// plus what a user needs to trust a model: macro-F1, per-label precision/recall/F1/support,
// subset accuracy and Hamming loss. A prediction is positive when its probability is >= the
// label's threshold.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace greenbert {

struct LabelScores {
  int64_t true_positives = 0, false_positives = 0, false_negatives = 0;
  int64_t support = 0;  // examples that carry the label
  double precision = 0, recall = 0, f1 = 0;
};

struct MultiLabelMetrics {
  int64_t examples = 0;
  int64_t labels = 0;
  double micro_f1 = 0, micro_precision = 0, micro_recall = 0;
  // Unweighted mean of label F1 over ALL labels, as sklearn's f1_score(average='macro',
  // zero_division=0): a label absent from targets and predictions counts as F1 0.
  double macro_f1 = 0;
  double element_accuracy = 0;  // the study's "accuracy": correct (example, label) cells / all
  double subset_accuracy = 0;   // examples whose whole label set is right
  double hamming_loss = 0;      // 1 - element_accuracy
  std::vector<LabelScores> per_label;
};

// probabilities and targets are (examples, labels) row-major; targets hold 0 or 1.
// thresholds has one value for all labels or one per label.
MultiLabelMetrics compute_metrics(std::span<const float> probabilities,
                                  std::span<const uint8_t> targets, int64_t labels,
                                  std::span<const float> thresholds);

// Counts `missed` true (example, label) pairs that have no column in the matrices (labels the
// model was never trained on) as false negatives of the micro averages; macro-F1 and the
// per-label scores cover the model's labels only.
void count_missed_labels(MultiLabelMetrics& metrics, int64_t missed);

struct ThresholdChoice {
  float global = 0.5f;            // best single threshold for micro-F1
  std::vector<float> per_label;   // best per-label thresholds (label F1), global where unsure
  double global_micro_f1 = 0;     // validation micro-F1 at `global`
  double per_label_micro_f1 = 0;  // validation micro-F1 with `per_label`
};

// Tunes decision thresholds on validation outputs: the global threshold maximising micro-F1
// over a grid of 0.05..0.95, and per-label thresholds maximising each label's F1 for labels
// with at least `min_support` positives (others keep the global one, since a threshold fitted
// to two examples does not generalise).
ThresholdChoice tune_thresholds(std::span<const float> probabilities,
                                std::span<const uint8_t> targets, int64_t labels,
                                int64_t min_support = 10);

// JSON with every field; per-label entries are named by `label_names`.
nlohmann::ordered_json to_json(const MultiLabelMetrics& metrics,
                               std::span<const std::string> label_names);

}  // namespace greenbert
