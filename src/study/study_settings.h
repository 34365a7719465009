#pragma once
// What a study was asked to do: the data, the models, the precisions and batch sizes, the
// shared settings its stages run with. Stored in the study's manifest (study_state.h), so that
// `greenbert report` knows the study without being told again.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/precision.h"

namespace greenbert {

// The linear baseline (`train --preset linear`, model/linear_model.h): trained with its own
// defaults (epochs, learning rate), reading whole abstracts, in f32 only.
inline constexpr const char* kLinearPreset = "linear";
inline constexpr int64_t kLinearMaxLength = 512;

struct StudyModel {
  std::string name;    // label and directory name: the preset's name, or the checkpoint's
  std::string preset;  // set for a model trained from scratch (with the study's vocabulary)
  std::string init;    // set for a fine-tuned HF checkpoint: its absolute directory
  // Encoder multiply-adds per token, layers x (4 h^2 + 2 h i): how a stage's time scales from
  // one model to another for the ETA. 0 when the architecture could not be read.
  double size = 0;
  // Fine-tuned from an encoder of `preset` that the study first pre-trains on the training split
  // (`greenbert pretrain`, stage M/pretrain); the report charges that energy to this model.
  bool pretrained = false;

  bool linear() const { return preset == kLinearPreset; }
};

struct StudySettings {
  std::string data;  // absolute path of the data file
  int64_t max_rows = 0;
  uint64_t seed = 42;
  std::optional<int> epochs;  // unset: train's own default
  int pretrain_epochs = 1;    // of the pre-training of each pretrained model
  int threads = 1;
  std::vector<StudyModel> models;
  std::vector<Precision> precisions;
  // study_layout.h's version of the directory and stage names (1: fp32 spelled "f32").
  int layout = 2;
  std::vector<int> batch_sizes;
  // Tokens per example for every stage (train, eval, quantize, bench): a quantized copy has no
  // training run to take it from, and F1 across precisions compares only at one length.
  int max_length = 150;
  int bench_repeats = 10;  // timed repeats per benchmark configuration
  int64_t bench_rows = 0;  // test examples in bench's throughput pass (0: the test split)
  std::string vocab;       // for presets: a given vocab.txt, absolute; empty: the study trains one
  int vocab_size = 0;
  int64_t lifetime_predictions = 1'000'000;  // for the report's lifetime energy
  std::vector<std::string> energy_args;      // options passed to every energy-tracked stage
};

nlohmann::ordered_json to_json(const StudySettings& settings);
// Throws greenbert::Error "SOURCE: settings: reason" on a missing or mistyped key.
StudySettings settings_from_json(const nlohmann::json& json, const std::string& source);

// The encoder size of a preset or an HF config.json (see StudyModel::size).
double encoder_size(int64_t layers, int64_t hidden, int64_t intermediate);

// The precisions a model is evaluated and benchmarked in: the study's, or fp32 alone for the
// linear baseline (it has no quantized copy).
std::vector<Precision> model_precisions(const StudySettings& settings, const StudyModel& model);

}  // namespace greenbert
