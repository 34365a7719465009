#pragma once
// `greenbert eval --json`: one evaluation of a model directory on a split, as eval writes it and
// the study's report reads it.
//
//   {"format": "greenbert-eval", "version": 2,
//    "model": {"name", "model_type", "parameters", "layers", "hidden", "precision", "vocab_size"},
//    "split": "test",
//    "threshold": 0.35 | "per_label", "per_label_thresholds": {label: t}   (the latter per label)
//    "metrics": report/metrics.h's to_json, "seconds": wall time of the whole command,
//    "data": {"path", "examples", "max_length", "text"},
//    "labels_not_in_model": {label: examples},
//    "papers": {"true": [[label ids]...], "predicted": [[label ids]...]}   (papers in split order)
//    "energy": {"kwh", "kg_co2eq", "method", "emissions_csv"}}
//
// Version 2 added "papers" (report/paper_predictions.h: bootstrap intervals, the label-priors
// check); version 1 files are still read. model_type is bert, distilbert or greenbert-linear.
//
// The "model" block is metrics.json's too (train/trainer.h).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/precision.h"
#include "model/config.h"
#include "model/model_directory.h"
#include "report/metrics.h"
#include "report/paper_predictions.h"

namespace greenbert {

inline constexpr const char* kEvalFormat = "greenbert-eval";
inline constexpr int kEvalVersion = 2;

struct ModelSummary {
  std::string name;
  std::string model_type;  // bert | distilbert | greenbert-linear
  int64_t parameters = 0;
  int64_t layers = 0;
  int64_t hidden = 0;
  Precision precision = Precision::fp32;
  int64_t vocab_size = 0;
};
ModelSummary summarize_model(const std::string& name, const BertConfig& config, int64_t parameters,
                             Precision precision, ModelKind kind = ModelKind::encoder);
nlohmann::ordered_json to_json(const ModelSummary& model);

struct EvalRecord {
  ModelSummary model;
  std::string split;
  std::vector<std::string> labels;  // the model's, in id order
  std::vector<float> thresholds;    // one for every label, or one per label
  MultiLabelMetrics metrics;
  double seconds = 0;
  std::string data_path;
  int64_t examples = 0;
  int64_t max_length = 0;
  std::string text;  // abstract | title+abstract
  std::map<std::string, int64_t> labels_not_in_model;
  PaperPredictions papers;
  double kwh = 0, kg_co2eq = 0;
  std::string energy_method;
  std::string emissions_csv;
};

nlohmann::ordered_json to_json(const EvalRecord& record);

// What the report reads of an eval record: its headline figures. Checks the format and version;
// throws greenbert::Error "FILE: reason".
struct EvalFigures {
  double micro_f1 = 0;
  std::optional<double> macro_f1;
  std::optional<double> threshold;         // unset when per label
  std::optional<PaperPredictions> papers;  // version 2
  int64_t labels = 0;                      // the model's (metrics' "labels"), with papers
};
EvalFigures read_eval_figures(const std::filesystem::path& file);

}  // namespace greenbert
