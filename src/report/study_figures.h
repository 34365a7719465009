#pragma once
// The study's figures per configuration (model x precision), computed one way for the table,
// study.json, the plots and the recommendation:
//
//   training        the model's train stage as the study recorded it (kWh, kg CO2eq)
//   quantization    the quantize stage for bf16/int8 (0 for fp32)
//   inference       energy per 1,000 predictions from bench's cpp backend at the reference
//                   batch size (the largest benchmarked)
//   lifetime        training + quantization + L predictions (L = lifetime_predictions)
//   efficiency      test micro-F1 per lifetime kWh and per lifetime kg CO2eq
//
// Configurations that learned only the label priors (report/paper_predictions.h) are flagged
// and never recommended. Of the others, most accurate: the highest test micro-F1; most
// efficient: the highest micro-F1 per lifetime kWh. Where bootstrap intervals on micro-F1 are
// known, one configuration is called more accurate than another only when they do not overlap.
//
// The Pareto frontier of lifetime kWh against test micro-F1: a configuration is on it when no
// other has both lower-or-equal lifetime energy and higher-or-equal micro-F1, one of them
// strictly (so two configurations with exactly the same figures are both on it). Membership
// compares point estimates, not bootstrap intervals; configurations without both figures, and
// those that learned only the label priors, are never on it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/study_results.h"

namespace greenbert {

struct ConfigFigures {
  std::string model;
  Precision precision = Precision::fp32;
  std::optional<double> micro_f1, macro_f1;
  std::optional<PredictionSummary> predictions;  // intervals and the label-priors check
  std::optional<double> training_kwh, training_kg;
  std::optional<double> quantization_kwh, quantization_kg;
  std::optional<double> inference_j_per_1000, inference_kg_per_1000;
  std::optional<double> lifetime_kwh, lifetime_kg;
  std::optional<double> f1_per_kwh, f1_per_kg;
  std::optional<double> latency_b1_ms;      // bench cpp, batch 1, median
  std::optional<double> abstracts_seconds;  // bench cpp: `abstracts` at the reference batch
  std::optional<double> peak_memory_mb;     // bench cpp, highest over batch sizes
  std::optional<double> model_size_mb;
  std::vector<std::string> energy_sources;  // EnergySource ids behind its energy figures

  std::string label() const { return model + " " + precision_name(precision); }
  bool priors_only() const { return predictions && predictions->priors_only(); }
};

struct Recommendation {
  std::optional<size_t> most_accurate;  // index into StudyFigures::configs
  std::optional<size_t> most_efficient;
  std::optional<double> training_saving_percent;  // of the most efficient vs the most accurate
  std::optional<double> inference_saving_percent;
  std::optional<double> f1_drop_points;  // micro-F1 x 100
  std::vector<size_t> priors_only;       // configurations that learned only the label priors
  // Whether the most efficient's and the most accurate's micro-F1 intervals overlap.
  bool accuracy_indistinguishable = false;
  std::vector<std::string> sentences;  // the recommendation in words
};

struct StudyFigures {
  int reference_batch = 0;
  int abstracts = 20;  // how many abstracts bench timed
  int64_t lifetime_predictions = 0;
  std::vector<ConfigFigures> configs;
  // Indices into configs, from the cheapest to the most accurate (equal figures: study order).
  std::vector<size_t> pareto_frontier;
  Recommendation recommendation;

  bool pareto_optimal(size_t config) const;
};

std::vector<size_t> pareto_frontier(const std::vector<ConfigFigures>& configs);

StudyFigures compute_figures(const StudyResults& results, int64_t lifetime_predictions);

// "1,000,000"
std::string with_thousands(int64_t value);

}  // namespace greenbert
