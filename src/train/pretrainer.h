#pragma once
// Self-supervised pre-training of a BERT encoder on unlabeled text, so that fine-tuning
// (`greenbert train --init DIR`) starts from an encoder that already reads the domain's
// language. Two objectives:
//
//   mlm  masked-language modelling (BERT, RoBERTa's dynamic masking): every step masks its
//        batch afresh (a pure function of the seed and the step), `mask_probability` of the
//        tokens (or of whole words), 80 % [MASK] / 10 % random / 10 % kept; the loss is the
//        cross-entropy of the original token at the chosen positions (model/masked_lm.h).
//   rtd  replaced-token detection (ELECTRA): a small generator (the encoder's first
//        `generator_layers` layers' shape, sharing the encoder's embeddings) is trained by MLM
//        and fills the masked positions with tokens sampled from its predictions; the encoder
//        (the discriminator) learns, at EVERY position, whether the token is the original
//        (model/replaced_token.h). Loss = generator MLM + rtd_weight × discriminator loss.
//        Every token teaches the encoder, not only the masked 15 %.
//
// The run directory is a model directory (config.json, model.safetensors with the masked-LM
// head under HF's cls.predictions.* names, vocab.txt, tokenizer_config.json, labels.json) that
// `train --init` fine-tunes, plus
//   pretrain_metrics.json  what was done (objective, steps, time, held-out loss, energy)
//   train_log.csv          one row per optimizer update (train/run_logs.h)
//   heldout_log.csv        epoch,step,loss,accuracy,elapsed_s at every held-out evaluation
//                          (masked-token accuracy for mlm; replaced/original accuracy for rtd)
//   emissions.csv          experiment ids pretrain and eval-heldout
//   checkpoint/            while running, as train's: resumable with bit-identical results
//                          (same thread count).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "energy/energy_options.h"
#include "kernels/gemm.h"
#include "model/model_directory.h"
#include "train/checkpoint.h"
#include "train/pretrain_corpus.h"

namespace greenbert {

enum class PretrainObjective { mlm, rtd };
const char* objective_name(PretrainObjective objective);  // "mlm", "rtd"
// Throws greenbert::Error for another name.
PretrainObjective parse_objective(const std::string& name);

struct PretrainOptions {
  PretrainObjective objective = PretrainObjective::mlm;
  double mask_probability = 0.15;  // of the tokens (or words) chosen per sequence
  bool whole_word = false;         // choose whole words ("##" pieces with their word)
  int64_t epochs = 1;
  int64_t batch_size = 64;  // sequences per micro-batch
  int64_t grad_accum = 1;
  double lr = 5e-4;
  double warmup = 0.06;  // ratio of the total steps (< 1) or a number of steps
  double weight_decay = 0.01;
  double max_grad_norm = 1.0;
  int64_t max_length = 128;        // tokens per window (the corpus' max_length)
  int64_t eval_every = 0;          // steps between held-out evaluations; 0: at epoch ends
  int64_t checkpoint_every = 200;  // steps between checkpoints
  Precision precision = Precision::fp32;
  uint64_t seed = 42;
  // rtd only:
  int64_t generator_layers = 1;  // layers of the generator (hidden size and heads: the encoder's)
  double rtd_weight = 50.0;      // ELECTRA's λ
};

// Throws greenbert::Error naming the option for values that cannot train.
void validate(const PretrainOptions& options);

struct PretrainRun {
  std::filesystem::path dir;
  PretrainOptions options;
  std::string model_name;  // preset or config file
  std::string data_path;
  EnergyOptions energy;
  const std::atomic<bool>* stop = nullptr;  // as TrainRun::stop
  std::function<void(const TrainingState&)> on_step;
};

// Thrown when run.stop was set: the checkpoint is written.
struct PretrainingInterrupted : Error {
  using Error::Error;
};

// Pre-trains `model` (its layout must have the masked-LM head) on corpus.train, evaluating on
// corpus.heldout, and writes the run directory; returns what it wrote to pretrain_metrics.json.
// Resumes from RUN_DIR/checkpoint when there is one (same corpus and options).
nlohmann::ordered_json pretrain_encoder(const PretrainRun& run, ClassifierModel& model,
                                        const PretrainCorpus& corpus);

}  // namespace greenbert
