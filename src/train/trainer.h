#pragma once
// Training a multi-label classifier, the way Hugging Face's Trainer fine-tunes
// BertForSequenceClassification (problem_type multi_label_classification): sigmoid + BCE,
// AdamW with decoupled weight decay (none on biases and LayerNorm), global-norm clipping,
// linear warm-up and decay, gradient accumulation — plus what a long CPU job needs:
//
// - after every epoch (and every eval_every steps) a validation pass; the best model by
//   validation micro-F1 (threshold 0.5; ties: lower validation loss) is the run's model, saved in
//   RUN_DIR as a model directory (model/model_directory.h);
// - at the end: thresholds tuned on validation (global and per label) and stored with the
//   model; the test split evaluated with the tuned global threshold and with 0.5 (the study's);
//   RUN_DIR/metrics.json;
// - RUN_DIR/train_log.csv and val_log.csv (train/run_logs.h), RUN_DIR/emissions.csv with one
//   row per phase segment (experiment ids train, eval-val, eval-test);
// - an atomic checkpoint (train/checkpoint.h) every checkpoint_every steps, at every
//   validation and when asked to stop; a run directory with a checkpoint resumes where it
//   stopped with bit-identical results (same thread count and ranks): data order and dropout
//   derive from the seed, the epoch, the step (and the rank).
//
// Everything a step touches is sized once before the loop: no allocation per step.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/process_group.h"
#include "data/dataset.h"
#include "energy/energy_options.h"
#include "kernels/gemm.h"
#include "model/model_directory.h"
#include "train/checkpoint.h"

namespace greenbert {

struct TrainOptions {
  int64_t epochs = 3;
  int64_t batch_size = 32;         // sequences per micro-batch
  int64_t grad_accum = 1;          // micro-batches per optimizer update
  double lr = 2e-5;                // peak learning rate
  double warmup = 0;               // a ratio of the total steps (< 1) or a number of steps (>= 1)
  double weight_decay = 0.01;      // AdamW's decoupled decay (not on biases and LayerNorm)
  double max_grad_norm = 1.0;      // global-norm clipping; 0 turns it off
  int64_t max_length = 150;        // tokens per example, [CLS] and [SEP] included
  int64_t eval_every = 0;          // steps between extra validation passes; 0: epoch ends only
  int64_t checkpoint_every = 500;  // steps between checkpoints (also at validations and stops)
  Precision precision = Precision::fp32;  // GEMM precision of the training passes (or bf16)
  uint64_t seed = 42;                     // batch order, dropout (and the caller's initialisation)
};

// Throws greenbert::Error naming the option for values that cannot train.
void validate(const TrainOptions& options);

struct TrainRun {
  std::filesystem::path dir;  // RUN_DIR
  TrainOptions options;
  std::string model_name;  // metrics.json's model.name: preset, config file or --init directory
  std::string data_path;   // metrics.json's data.path
  EnergyOptions energy;
  // Set asynchronously (SIGINT, SIGTERM): the current step finishes, a checkpoint is written
  // and TrainingInterrupted is thrown.
  const std::atomic<bool>* stop = nullptr;
  // Resume even when the data differs from the data the checkpoint was written on (its
  // fingerprint, data/data_fingerprint.h); otherwise that is an error.
  bool force = false;
  // Called after every optimizer update with the state reached (for embedding and tests).
  std::function<void(const TrainingState&)> on_step;
  // The ranks training together (core/process_group.h). Each global batch is cut into one
  // contiguous shard per rank, and the gradients are summed in rank order before the update, so
  // every rank takes the same step; the leader alone writes RUN_DIR (and needs it to be on a
  // filesystem every rank sees, to resume). Each rank tracks its energy: emissions.csv gets a
  // row per rank and phase, written by the leader.
  ProcessGroup group;
};

struct TrainingInterrupted : Error {
  using Error::Error;
};

// RUN_DIR/checkpoint.
std::filesystem::path checkpoint_dir(const std::filesystem::path& run_dir);

// Trains `model` on dataset.train (validating on dataset.val, testing on dataset.test when it
// is not empty) and writes the run directory; returns what it wrote to metrics.json. When
// RUN_DIR has a checkpoint, the model's parameters and the optimizer come from it and training
// continues where it stopped (the checkpoint must come from the same data and options);
// otherwise the run starts afresh: logs are reset and the model's config, vocabulary and labels
// written. model.config.labels must be dataset.labels' names. The checkpoint is removed once
// metrics.json is written.
nlohmann::ordered_json train_classifier(const TrainRun& run, ClassifierModel& model,
                                        const Dataset& dataset);

}  // namespace greenbert
