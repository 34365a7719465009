#include "report/metrics.h"

#include <algorithm>

#include "core/error.h"

namespace greenbert {
namespace {

double ratio(int64_t numerator, int64_t denominator) {
  return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator) : 0.0;
}

void finish_scores(LabelScores& s) {
  s.precision = ratio(s.true_positives, s.true_positives + s.false_positives);
  s.recall = ratio(s.true_positives, s.true_positives + s.false_negatives);
  s.f1 = ratio(2 * s.true_positives, 2 * s.true_positives + s.false_positives + s.false_negatives);
}

void check_shapes(std::span<const float> probabilities, std::span<const uint8_t> targets,
                  int64_t labels) {
  if (labels <= 0) fail("metrics: the number of labels must be positive");
  if (probabilities.size() != targets.size() ||
      static_cast<int64_t>(probabilities.size()) % labels != 0)
    fail("metrics: ", probabilities.size(), " probabilities and ", targets.size(),
         " targets do not form (examples, ", labels, ") matrices");
}

// The grid both tuners search: 0.05, 0.10, ..., 0.95.
std::vector<float> threshold_grid() {
  std::vector<float> grid;
  for (int i = 1; i <= 19; ++i) grid.push_back(0.05f * static_cast<float>(i));
  return grid;
}

}  // namespace

void count_missed_labels(MultiLabelMetrics& metrics, int64_t missed) {
  LabelScores micro;
  for (const auto& s : metrics.per_label) {
    micro.true_positives += s.true_positives;
    micro.false_positives += s.false_positives;
    micro.false_negatives += s.false_negatives;
  }
  micro.false_negatives += missed;
  finish_scores(micro);
  metrics.micro_f1 = micro.f1;
  metrics.micro_precision = micro.precision;
  metrics.micro_recall = micro.recall;
}

MultiLabelMetrics compute_metrics(std::span<const float> probabilities,
                                  std::span<const uint8_t> targets, int64_t labels,
                                  std::span<const float> thresholds) {
  check_shapes(probabilities, targets, labels);
  if (thresholds.size() != 1 && static_cast<int64_t>(thresholds.size()) != labels)
    fail("metrics: ", thresholds.size(), " thresholds for ", labels, " labels");
  MultiLabelMetrics m;
  m.labels = labels;
  m.examples = static_cast<int64_t>(probabilities.size()) / labels;
  m.per_label.assign(static_cast<size_t>(labels), {});
  int64_t exact_rows = 0, correct_cells = 0;
  for (int64_t e = 0; e < m.examples; ++e) {
    bool row_exact = true;
    for (int64_t l = 0; l < labels; ++l) {
      size_t i = static_cast<size_t>(e * labels + l);
      float threshold = thresholds.size() == 1 ? thresholds[0] : thresholds[static_cast<size_t>(l)];
      bool predicted = probabilities[i] >= threshold;
      bool actual = targets[i] != 0;
      auto& s = m.per_label[static_cast<size_t>(l)];
      s.support += actual;
      s.true_positives += predicted && actual;
      s.false_positives += predicted && !actual;
      s.false_negatives += !predicted && actual;
      correct_cells += predicted == actual;
      row_exact = row_exact && predicted == actual;
    }
    exact_rows += row_exact;
  }
  LabelScores micro;
  double f1_sum = 0;
  for (auto& s : m.per_label) {
    finish_scores(s);
    micro.true_positives += s.true_positives;
    micro.false_positives += s.false_positives;
    micro.false_negatives += s.false_negatives;
    f1_sum += s.f1;
  }
  finish_scores(micro);
  m.micro_f1 = micro.f1;
  m.micro_precision = micro.precision;
  m.micro_recall = micro.recall;
  m.macro_f1 = f1_sum / static_cast<double>(labels);
  m.element_accuracy = ratio(correct_cells, m.examples * labels);
  m.hamming_loss = m.examples > 0 ? 1.0 - m.element_accuracy : 0.0;
  m.subset_accuracy = ratio(exact_rows, m.examples);
  return m;
}

ThresholdChoice tune_thresholds(std::span<const float> probabilities,
                                std::span<const uint8_t> targets, int64_t labels,
                                int64_t min_support) {
  check_shapes(probabilities, targets, labels);
  ThresholdChoice choice;
  choice.global_micro_f1 = -1;
  for (float t : threshold_grid()) {
    double f1 = compute_metrics(probabilities, targets, labels, {&t, 1}).micro_f1;
    if (f1 > choice.global_micro_f1) {
      choice.global_micro_f1 = f1;
      choice.global = t;
    }
  }
  choice.per_label.assign(static_cast<size_t>(labels), choice.global);
  int64_t examples = static_cast<int64_t>(probabilities.size()) / labels;
  for (int64_t l = 0; l < labels; ++l) {
    int64_t positives = 0;
    for (int64_t e = 0; e < examples; ++e)
      positives += targets[static_cast<size_t>(e * labels + l)];
    if (positives < min_support) continue;
    double best_f1 = -1;
    for (float t : threshold_grid()) {
      LabelScores s;
      for (int64_t e = 0; e < examples; ++e) {
        size_t i = static_cast<size_t>(e * labels + l);
        bool predicted = probabilities[i] >= t, actual = targets[i] != 0;
        s.true_positives += predicted && actual;
        s.false_positives += predicted && !actual;
        s.false_negatives += !predicted && actual;
      }
      finish_scores(s);
      if (s.f1 > best_f1) {
        best_f1 = s.f1;
        choice.per_label[static_cast<size_t>(l)] = t;
      }
    }
  }
  choice.per_label_micro_f1 =
      compute_metrics(probabilities, targets, labels, choice.per_label).micro_f1;
  return choice;
}

nlohmann::ordered_json to_json(const MultiLabelMetrics& m,
                               std::span<const std::string> label_names) {
  if (static_cast<int64_t>(label_names.size()) != m.labels)
    fail("metrics: ", label_names.size(), " label names for ", m.labels, " labels");
  nlohmann::ordered_json json;
  json["examples"] = m.examples;
  json["labels"] = m.labels;
  json["micro_f1"] = m.micro_f1;
  json["micro_precision"] = m.micro_precision;
  json["micro_recall"] = m.micro_recall;
  json["macro_f1"] = m.macro_f1;
  json["accuracy"] = m.element_accuracy;
  json["subset_accuracy"] = m.subset_accuracy;
  json["hamming_loss"] = m.hamming_loss;
  auto& per_label = json["per_label"] = nlohmann::ordered_json::object();
  for (size_t l = 0; l < label_names.size(); ++l) {
    const auto& s = m.per_label[l];
    per_label[label_names[l]] = {
        {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}};
  }
  return json;
}

}  // namespace greenbert
