#pragma once
// Everything a study directory holds, read once for the report: the manifest (settings,
// machine, stages), the study's own energy record of every stage (emissions.csv and its
// sidecar), each model's training logs and metrics, each configuration's evaluation, and every
// benchmark record (the study's, plus any JSON file in DIR/baselines/, e.g. PyTorch and ONNX
// Runtime runs). Outputs of stages that did not finish are not read; an output of a finished
// stage that cannot be read is an error.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/bench_records.h"
#include "report/paper_predictions.h"
#include "study/study_state.h"

namespace greenbert {

// How an energy figure was obtained, in words a reader can check.
struct EnergySource {
  std::string id;      // "E1", "E2", ... as the report cites them
  std::string method;  // rapl | perf | estimated | unknown
  std::string description;
};

// A stage's rows in the study's emissions.csv: every attempt of its current command.
struct StageEnergy {
  double seconds = 0;
  double kwh = 0;
  double kg_co2eq = 0;
  std::vector<std::string> sources;  // EnergySource ids
};

struct StageResult {
  StageRecord record;
  std::optional<StageEnergy> energy;  // absent when the ledger has none of its rows
};

struct ModelResult {
  StudyModel model;
  std::optional<nlohmann::json> metrics;       // models/M/fp32/metrics.json, when training finished
  std::vector<double> train_step, train_loss;  // train_log.csv
  std::vector<double> val_step, val_loss;      // val_log.csv
};

struct ConfigResult {
  std::string model;
  Precision precision = Precision::fp32;
  std::optional<double> micro_f1, macro_f1, threshold;  // on the test split
  std::optional<PredictionSummary> predictions;         // from eval's per-paper labels
  std::optional<size_t> bench;      // index into StudyResults::bench (its cpp backend)
  std::string bench_energy_source;  // EnergySource id of bench's energy figures
};

struct StudyResults {
  std::filesystem::path dir;
  StudyState state;
  std::vector<StageResult> stages;
  std::vector<EnergySource> energy_sources;
  std::vector<ModelResult> models;
  std::vector<ConfigResult> configs;   // models x precisions, in study order
  std::vector<BenchRecord> bench;      // the study's records, then the baselines'
  std::optional<nlohmann::json> data;  // metrics.json "data": split sizes and labels

  const StageResult* stage(const std::string& id) const;
  // The stage `kind` ("quantize", "eval", "bench") of a model at a precision, with the study's
  // names for it (study_layout.h).
  const StageResult* stage(const std::string& model, const std::string& kind,
                           Precision precision) const;
};

StudyResults collect_study(const std::filesystem::path& dir);

// Reads the named numeric columns of a CSV log (train_log.csv, val_log.csv); throws
// greenbert::Error "FILE:LINE: reason".
std::vector<std::vector<double>> read_numeric_columns(const std::filesystem::path& csv,
                                                      const std::vector<std::string>& columns);

}  // namespace greenbert
