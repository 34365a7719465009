#pragma once
// Where each stage of a study writes, relative to the study directory. Stages run with the
// study directory as their working directory, so their commands (and this layout) do not
// depend on where the study was started from.
#include <string>

#include "core/precision.h"

namespace greenbert::study_layout {

// The version of the names below. Studies begun before greenbert spelled every precision one way
// (layout 1: manifests without "layout") named fp32's directories and stages "f32"; such a study
// keeps its names when it continues, and the report reads them.
inline constexpr int kLayout = 2;

// A precision's name in directory and stage names: precision_name(), or "f32" in layout 1.
inline std::string precision_dir(Precision precision, int layout) {
  return layout == 1 && precision == Precision::fp32 ? "f32" : precision_name(precision);
}

inline constexpr const char* kState = "study_state.json";  // the stage manifest
inline constexpr const char* kLock = ".study.lock";        // one study at a time per directory
inline constexpr const char* kLedger = "emissions.csv";    // the study's record of every stage
inline constexpr const char* kDataDir = "data";            // the split (train/val/test.csv)
inline constexpr const char* kVocabDir = "vocab";          // vocabulary for presets
inline constexpr const char* kVocab = "vocab/vocab.txt";
inline constexpr const char* kBaselinesDir = "baselines";  // extra bench JSON (PyTorch, ORT)
inline constexpr const char* kPlotsDir = "plots";
inline constexpr const char* kStudyJson = "study.json";
inline constexpr const char* kBenchJson = "bench.json";
inline constexpr const char* kReportMd = "report.md";
inline constexpr const char* kReportHtml = "report.html";

// models/<model>/<precision>: the trained run directory (fp32) or a quantized model directory;
// <precision> is precision_dir()'s name here and below.
inline std::string model_dir(const std::string& model, const std::string& precision) {
  return "models/" + model + "/" + precision;
}
// models/<model>/pretrained: the pre-training run a pretrained model is fine-tuned from.
inline std::string pretrain_dir(const std::string& model) {
  return "models/" + model + "/pretrained";
}
inline std::string results_dir(const std::string& model) {
  return "results/" + model;
}
// `greenbert eval --json` output on the test split.
inline std::string eval_json(const std::string& model, const std::string& precision) {
  return results_dir(model) + "/eval-" + precision + ".json";
}
// `greenbert bench --out` records.
inline std::string bench_json(const std::string& model, const std::string& precision) {
  return results_dir(model) + "/bench-" + precision + ".json";
}
// bench's per-configuration inputs and results, and its own emissions.csv (the study's
// emissions.csv has the stage as a whole).
inline std::string bench_work_dir(const std::string& model, const std::string& precision) {
  return results_dir(model) + "/bench-" + precision;
}

}  // namespace greenbert::study_layout
