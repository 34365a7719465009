#pragma once
// The model a training run starts from: a preset or an HF config.json with a fresh vocabulary
// (trained on the training split, or given), or a Hugging Face checkpoint to fine-tune; or, when
// a run continues from its checkpoint, the run directory's own description; or the linear
// baseline's.
#include <cstdint>
#include <filesystem>
#include <string>

#include "data/dataset.h"
#include "model/linear_model.h"
#include "model/model_directory.h"

namespace greenbert {

struct RunModelSource {
  std::string preset;            // a preset's name, or
  std::filesystem::path config;  // an HF config.json (both from scratch), or
  std::filesystem::path init;    // an HF checkpoint directory to fine-tune
  std::filesystem::path vocab;   // from scratch: a vocab.txt; empty: train one of vocab_size
  size_t vocab_size = 8192;
  uint64_t seed = 42;  // the run's seed (the initialisation's is derived from it)
};

// The model for `dataset`'s labels, its classification head starting at the labels' prior.
// What loading a checkpoint left out or replaced is said on stderr.
ClassifierModel new_run_model(const RunModelSource& source, const Dataset& dataset);

// The linear baseline's untrained model (model/linear_model.h) for `dataset`'s labels over the
// source's vocabulary (given or trained); its bigrams, idf and weights come from training.
LinearModel new_run_linear_model(const RunModelSource& source, int64_t dim,
                                 FeatureWeighting weighting, const Dataset& dataset);

// A run continuing from its checkpoint: the model the run directory describes (the checkpoint
// has its weights).
ClassifierModel resumed_run_model(const std::filesystem::path& run_dir);

// A WordPiece vocabulary fitted on the training split only (validation or test text would leak).
BertTokenizer train_vocabulary(const Dataset& dataset, size_t size);

}  // namespace greenbert
