#pragma once
// Training greenbert's linear baseline (model/linear_model.h) the way fastText trains its
// one-vs-all classifier: plain SGD, one example at a time in a seeded order, the learning rate
// decaying linearly to 0 over all epochs, one binary cross-entropy per label. Single-threaded,
// so a run is reproducible to the bit; a whole run takes seconds.
//
// The run directory is what `train` writes for an encoder: the model directory (the best epoch
// by validation micro-F1 at its best global threshold, ties: lower validation loss), thresholds
// tuned on validation (and per-label ones used where they help: train/threshold_mode.h),
// metrics.json in the same format (test split at the tuned thresholds and at 0.5), train_log.csv
// and val_log.csv (one row per epoch), emissions.csv (train, eval-val, eval-test).
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "energy/energy_options.h"
#include "model/linear_model.h"

namespace greenbert {

struct LinearTrainOptions {
  int64_t epochs = 10;
  double lr = 0.5;                // SGD's initial learning rate, decaying linearly to 0
  int64_t max_length = 512;       // tokens per example, [CLS] and [SEP] included
  uint64_t seed = 42;             // example order and the initialisation
  int64_t max_bigrams = 1 << 18;  // bigram features: the most frequent in training texts
};

// Throws greenbert::Error naming the option.
void validate(const LinearTrainOptions& options);

struct LinearTrainRun {
  std::filesystem::path dir;
  LinearTrainOptions options;
  std::string model_name = "linear";
  std::string data_path;
  EnergyOptions energy;
};

// Trains `model` (config and tokenizer set; its labels dataset.labels' names) on dataset.train
// and writes the run directory; returns metrics.json.
nlohmann::ordered_json train_linear_classifier(const LinearTrainRun& run, LinearModel& model,
                                               const Dataset& dataset);

}  // namespace greenbert
