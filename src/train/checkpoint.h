#pragma once
// The resumable state of a training run, in ONE file, RUN_DIR/checkpoint/checkpoint.safetensors:
// the parameters, both AdamW moments, and (as JSON in the safetensors metadata) where training
// stands. One file written atomically (write to a temporary, fsync, rename) means a crash at any
// moment leaves the previous checkpoint or the new one, never a mix of two.
//
// No random-generator state is stored: batch order and dropout masks are pure functions of the
// run seed, the epoch and the step (core/run_seeds.h).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "data/data_fingerprint.h"
#include "model/optimizer.h"
#include "model/parameters.h"

namespace greenbert {

struct TrainingState {
  int64_t step = 0;            // optimizer updates done
  int64_t epoch = 0;           // epoch in progress, 0-based
  int64_t batch = 0;           // batches of `epoch` done; == batches per epoch once it is trained
  int64_t validated_step = 0;  // step of the last validation pass done (0: none yet)
  double best_micro_f1 = -1;   // best validation micro-F1 so far (-1: none yet)
  // Its validation loss: the tie-break between equal micro-F1s. From scratch, the first epochs
  // often predict no label above 0.5 (micro-F1 0) while the loss still improves.
  double best_val_loss = 0;
  int64_t best_step = 0;        // step of that validation
  double best_epoch = 0;        // and its (fractional, 1-based) epoch
  double train_seconds = 0;     // time in training steps, all sessions together
  int64_t train_sequences = 0;  // sequences trained on, all sessions together
  double elapsed_seconds = 0;   // wall time of the run up to this state, all sessions together
  // What the state is only valid for: resuming with another seed or data would not continue
  // the same run.
  uint64_t seed = 0;
  int64_t batches_per_epoch = 0;
  int64_t total_steps = 0;
  DataFingerprint data;  // hash empty: a checkpoint written before fingerprints were recorded

  friend bool operator==(const TrainingState&, const TrainingState&) = default;
};

// dir/checkpoint.safetensors.
std::filesystem::path checkpoint_file(const std::filesystem::path& dir);

// A second model trained alongside the first (ELECTRA's generator), in the same file under its
// own name prefix, so that both are always of the same step.
struct CheckpointExtra {
  std::string prefix;  // "generator."
  ParameterBuffer* params = nullptr;
  AdamWState* adam = nullptr;
};

// Writes the checkpoint atomically (creating `dir` if needed).
void save_checkpoint(const std::filesystem::path& dir, const TrainingState& state,
                     const ParameterBuffer& params, const AdamWState& adam,
                     std::span<const CheckpointExtra> extras = {});

// Reads the checkpoint of `dir` into params and adam (which must have the layout it was written
// with), and the extras it was written with; nullopt when there is none. Leftover temporaries
// of interrupted writes are ignored. Throws greenbert::Error naming the file for a corrupt or
// mismatched checkpoint.
std::optional<TrainingState> load_checkpoint(const std::filesystem::path& dir,
                                             ParameterBuffer& params, AdamWState& adam,
                                             std::span<const CheckpointExtra> extras = {});

}  // namespace greenbert
