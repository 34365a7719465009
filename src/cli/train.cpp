// `greenbert train`: trains a multi-label classifier into a run directory (train/trainer.h),
// from scratch (--preset, --config) or from a Hugging Face checkpoint (--init), resumably.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/data_options.h"
#include "cli/energy_options.h"
#include "cli/exit_codes.h"
#include "cli/precision_option.h"
#include "cli/run_config.h"
#include "cli/threads_option.h"
#include "core/error.h"
#include "core/json_fields.h"
#include "core/stop_signals.h"
#include "core/threads.h"
#include "data/split_directory.h"
#include "model/model_directory.h"
#include "study/study_settings.h"
#include "train/linear_trainer.h"
#include "train/run_directory.h"
#include "train/run_model.h"
#include "train/trainer.h"

namespace greenbert::cli {

namespace {

// Defaults that depend on where the weights come from. A pre-trained encoder (--init) is
// fine-tuned as the study did (and as HF's examples do): 3 epochs at 2e-5 without warm-up. A
// randomly initialised encoder (--preset, --config) has everything to learn: it needs a learning
// rate ~50x higher, which is only stable after a warm-up (post-LayerNorm transformers diverge
// early at high rates), and more epochs.
struct ModeDefaults {
  int64_t epochs;
  double lr;
  double warmup;
};
constexpr ModeDefaults kPretrainedDefaults{3, 2e-5, 0.0};
constexpr ModeDefaults kScratchDefaults{8, 1e-3, 0.06};
// The linear baseline (model/linear_model.h): fastText's SGD; measured in docs/linear-baseline.md.
constexpr ModeDefaults kLinearDefaults{10, 0.5, 0.0};
constexpr size_t kDefaultVocabSize = 8192;

struct TrainArgs {
  DataOptions data;
  std::string out;
  std::string preset, config, init, vocab;
  size_t vocab_size = kDefaultVocabSize;
  std::optional<int64_t> epochs;
  std::optional<double> lr;
  std::optional<double> warmup;
  TrainOptions train;  // the options with fixed defaults
  std::string precision = "fp32";
  int threads = 0;
  bool resume = false;
  bool force = false;
  EnergyOptions energy;
  // --preset linear
  int64_t linear_dim = 0;
  int64_t bigrams = 1 << 18;
  std::string weighting = "tfidf";
  bool max_length_given = false;

  bool from_scratch() const { return init.empty(); }
  bool linear() const { return preset == kLinearPreset; }
  std::string model_name() const {
    return !preset.empty() ? preset : !config.empty() ? config : init;
  }
};

// The options that decide what a run computes, as train_config.json keys; a run continues only
// under the same ones. threads (bit-identical results need the same count, but a resumed run
// may use another) and checkpoint-every are not among them.
nlohmann::json binding_json(const TrainArgs& a) {
  nlohmann::json json = data_options_json(a.data);
  json["preset"] = a.preset;
  json["config"] = recorded_path(a.config);
  json["init"] = recorded_path(a.init);
  json["vocab"] = recorded_path(a.vocab);
  json["vocab-size"] = a.vocab_size;
  optimization_to_json(a.train, json);
  json["precision"] = precision_name(parse_precision(a.precision, "--precision"));
  if (a.linear()) {
    json["dim"] = a.linear_dim;
    json["bigrams"] = a.bigrams;
    json["weighting"] = a.weighting;
  }
  return json;
}

void args_from_json(const nlohmann::json& j, TrainArgs& a) {
  const std::string source = (std::filesystem::path(a.out) / kRunConfigFile).string();
  data_options_from_run([](const std::string&) { return false; }, j, source, a.data);
  try {
    a.preset = j.at("preset").get<std::string>();
    a.config = j.at("config").get<std::string>();
    a.init = j.at("init").get<std::string>();
    a.vocab = j.at("vocab").get<std::string>();
    a.vocab_size = json_integer<size_t>(j.at("vocab-size"), "vocab-size");
    optimization_from_json(j, a.train);
    a.precision = j.at("precision").get<std::string>();
    if (a.linear()) {
      a.linear_dim = json_integer<int64_t>(j.at("dim"), "dim");
      a.bigrams = json_integer<int64_t>(j.at("bigrams"), "bigrams");
      a.weighting = j.at("weighting").get<std::string>();
    }
    a.max_length_given = true;  // the run's own
  } catch (const nlohmann::json::exception& e) {
    fail(source, ": ", e.what());
  }
}

// Fills the mode-dependent defaults and checks the combination of options.
void resolve(TrainArgs& a) {
  if (a.data.data.empty()) usage_error("train: --data is required");
  const int sources = !a.preset.empty() + !a.config.empty() + !a.init.empty();
  if (sources != 1)
    usage_error(
        "train: give exactly one of --preset NAME, --config CONFIG_JSON (from scratch) or --init "
        "HF_DIR (fine-tune a checkpoint)");
  if (!a.init.empty() && !a.vocab.empty())
    usage_error("train: --vocab is for models trained from scratch; --init uses the checkpoint's");
  const ModeDefaults& d = a.linear()         ? kLinearDefaults
                          : a.from_scratch() ? kScratchDefaults
                                             : kPretrainedDefaults;
  if (a.linear() && !a.max_length_given) a.train.max_length = kLinearMaxLength;
  a.train.epochs = a.epochs.value_or(d.epochs);
  a.train.lr = a.lr.value_or(d.lr);
  a.train.warmup = a.warmup.value_or(d.warmup);
  a.train.precision = parse_precision(a.precision, "--precision");
  a.precision = precision_name(a.train.precision);  // the one spelling, also in train_config.json
  a.train.seed = a.data.seed;
  if (a.linear())  // SGD on one example at a time takes rates above 1
    validate(LinearTrainOptions{a.train.epochs, a.train.lr, a.train.max_length});
  else
    validate(a.train);
}

// A run's recorded options (train_config.json's) in place of the command's.
void take_run_options(const nlohmann::json& stored, TrainArgs& a) {
  args_from_json(stored, a);
  a.epochs = a.train.epochs;
  a.lr = a.train.lr;
  a.warmup = a.train.warmup;
  resolve(a);
}

// What RUN_DIR holds decides what the command does (train/run_directory.h). On --resume, the
// run's own options replace the command's.
RunAction reconcile_with_run_dir(const CLI::App& command, TrainArgs& a) {
  auto options = [&] {
    if (!a.resume) {
      resolve(a);
      return binding_json(a);
    }
    // Only the options given are compared: the mode-dependent defaults are not resolved yet.
    TrainArgs shown = a;
    shown.train.epochs = a.epochs.value_or(0);
    shown.train.lr = a.lr.value_or(0);
    shown.train.warmup = a.warmup.value_or(0);
    return binding_json(shown);
  };
  nlohmann::json stored;
  const RunAction action = reconcile_run(
      a.out, kTrainingRunFiles, options,
      [&](const std::string& key) { return command.count("--" + key) > 0; }, a.resume, stored);
  if (action == RunAction::start) resolve(a);
  if (action == RunAction::resume && a.resume) take_run_options(stored, a);
  return action;
}

// The linear baseline: seconds of SGD, no checkpoint (an interrupted run starts over).
void run_linear(const TrainArgs& a, const Dataset& dataset, RunAction action) {
  const std::filesystem::path dir = a.out;
  LinearModel model = new_run_linear_model(
      {a.preset, a.config, a.init, a.vocab, a.vocab_size, a.train.seed}, a.linear_dim,
      a.weighting == "mean" ? FeatureWeighting::mean : FeatureWeighting::tfidf, dataset);
  const LinearConfig& config = model.config;
  if (action == RunAction::start) {
    std::filesystem::create_directories(dir);
    nlohmann::json run_config = binding_json(a);
    run_config["threads"] = 1;
    save_run_config(dir, run_config);
  }
  std::fprintf(stderr,
               "train: linear (%s, %s), %lld tokens + up to %lld bigrams, %zu/%zu/%zu "
               "train/val/test examples, %d labels -> %s\n",
               config.dim > 0 ? cat("fastText, dim ", config.dim).c_str() : "logistic regression",
               weighting_name(config.weighting), static_cast<long long>(config.vocab_size),
               static_cast<long long>(a.bigrams), dataset.train.size(), dataset.val.size(),
               dataset.test.size(), dataset.labels.size(), dir.c_str());
  LinearTrainRun run;
  run.dir = dir;
  run.options = {a.train.epochs, a.train.lr, a.train.max_length, a.train.seed, a.bigrams};
  run.data_path = recorded_path(a.data.data);
  run.energy = a.energy;
  train_linear_classifier(run, model, dataset);
  std::printf("train: %s is ready: model, thresholds.json, metrics.json, emissions.csv\n",
              dir.c_str());
}

ClassifierModel model_for_run(const TrainArgs& a, const Dataset& dataset, bool has_checkpoint) {
  return has_checkpoint
             ? resumed_run_model(a.out)
             : new_run_model({a.preset, a.config, a.init, a.vocab, a.vocab_size, a.train.seed},
                             dataset);
}

// This process's part of the training: all of it, or a rank's (core/process_group.h).
void run_rank(const TrainArgs& a, ClassifierModel model, const Dataset& dataset,
              const StopSignals& stop) {
  TrainRun run;
  run.dir = a.out;
  run.options = a.train;
  run.model_name = a.model_name();
  run.data_path = recorded_path(a.data.data);
  run.energy = a.energy;
  run.stop = &stop.flag();
  run.force = a.force;
  run.group = process_group();
  try {
    train_classifier(run, model, dataset);
  } catch (const TrainingInterrupted& e) {
    throw StoppedBySignal(
        stop.signal(), cat(e.what(), ". Resume with: greenbert train --out ", a.out, " --resume"));
  }
}

// A rank other than the leader: once the leader has decided what the run directory calls for
// and prepared it, trains with the options it resolved (none: nothing to do, the leader said
// why). Deciding on their own, ranks could see the directory half-prepared.
void follow_leader(TrainArgs& a, const StopSignals& stop) {
  const std::string options = process_group().broadcast_from_leader("");
  if (options.empty()) return;
  take_run_options(nlohmann::json::parse(options), a);
  a.energy.load_mode = LoadMode::process;  // as run() sets it for the leader
  set_thread_count(a.threads);
  const Dataset dataset = load_dataset(a.data.data, to_load_options(a.data));
  const bool has_checkpoint = std::filesystem::exists(checkpoint_file(checkpoint_dir(a.out)));
  run_rank(a, model_for_run(a, dataset, has_checkpoint), dataset, stop);
}

void run(const CLI::App& command, TrainArgs& a) {
  // Before any thread starts (core/stop_signals.h says why).
  StopSignals stop(
      "\ngreenbert: stopping after this step to write a checkpoint (again to quit at once; the "
      "run directory stays valid)\n");
  const ProcessGroup& group = process_group();
  if (!group.leader()) return follow_leader(a, stop);
  const RunAction action = reconcile_with_run_dir(command, a);
  const std::filesystem::path dir = a.out;
  if (action == RunAction::finished) {
    if (group.parallel()) group.broadcast_from_leader("");
    std::printf(
        "train: %s is a finished run (metrics.json); nothing to do. Use another --out to "
        "train again\n",
        dir.c_str());
    return;
  }
  validate_energy_options(a.energy);
  if (group.parallel() && a.linear())
    fail("--preset linear trains in seconds on one process: run it without mpirun");
  // Each rank's row would count the whole machine once per rank on a machine they share.
  if (group.parallel()) a.energy.load_mode = LoadMode::process;
  const int threads = set_thread_count(a.threads);
  Dataset dataset = load_dataset(a.data.data, to_load_options(a.data));
  print_load_warnings(dataset);
  if (a.linear()) return run_linear(a, dataset, action);

  const bool has_checkpoint = std::filesystem::exists(checkpoint_file(checkpoint_dir(dir)));
  if (action == RunAction::resume && !has_checkpoint)
    std::fprintf(stderr, "train: %s has no checkpoint yet: starting the run over\n", dir.c_str());
  ClassifierModel model = model_for_run(a, dataset, has_checkpoint);
  if (action == RunAction::start) {
    std::filesystem::create_directories(dir);
    nlohmann::json config = binding_json(a);
    config["threads"] = threads;
    config["checkpoint-every"] = a.train.checkpoint_every;
    save_run_config(dir, config);
  }
  std::fprintf(stderr,
               "train: %s, %lld parameters, %zu/%zu/%zu train/val/test examples, %d labels, "
               "%d threads%s, %s GEMMs -> %s\n",
               a.model_name().c_str(),
               static_cast<long long>(model.params.layout().parameter_count()),
               dataset.train.size(), dataset.val.size(), dataset.test.size(), dataset.labels.size(),
               threads, group.parallel() ? cat(" x ", group.ranks, " ranks").c_str() : "",
               a.precision.c_str(), dir.c_str());
  if (group.parallel()) group.broadcast_from_leader(binding_json(a).dump());
  run_rank(a, std::move(model), dataset, stop);
  std::printf(
      "train: %s is ready: model, thresholds.json, metrics.json, train_log.csv, "
      "val_log.csv, emissions.csv\n",
      dir.c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand(
      "train",
      "Train a multi-label classifier into a run directory: from scratch (--preset, --config) "
      "or fine-tuning a Hugging Face checkpoint (--init). Each epoch ends with a validation "
      "pass; the best model by validation micro-F1 is kept, its thresholds tuned on validation, "
      "and the test split evaluated (metrics.json). Interrupt with Ctrl-C and continue with "
      "--resume: results are bit-identical to an uninterrupted run with the same --threads.");
  add_data_options(*cmd, args->data, /*required=*/false);  // --resume takes the run's
  cmd->get_option("--seed")->description(
      "Seed of everything random: the split, the initialisation, batch order and dropout");
  cmd->add_option("--out", args->out,
                  "Run directory: the best model (loadable by eval, predict, quantize), logs, "
                  "metrics.json, emissions.csv, and checkpoint/ while training. Re-running the "
                  "same command on it continues an interrupted run")
      ->required();

  const std::string model_group = "Model";
  std::string presets;
  for (const auto& name : preset_names()) presets += (presets.empty() ? "" : ", ") + name;
  cmd->add_option("--preset", args->preset,
                  cat("Train from scratch with a preset architecture: ", presets,
                      "; or linear: the linear baseline (bag of token n-grams, one sigmoid per "
                      "label, trained by SGD in seconds; defaults: 10 epochs, lr 0.5, "
                      "--max-length 512)"))
      ->group(model_group);
  const std::string linear_group = "Linear model (--preset linear)";
  cmd->add_option("--dim", args->linear_dim,
                  "0: logistic regression straight from the features; N > 0: fastText's "
                  "N-wide hidden layer (smaller model, often a little less accurate)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str()
      ->group(linear_group);
  cmd->add_option("--bigrams", args->bigrams,
                  "Bigram features: the most frequent token pairs of the training texts (seen "
                  "in 2 texts at least)")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str()
      ->group(linear_group);
  cmd->add_option("--weighting", args->weighting,
                  "Feature weights: tfidf (sublinear tf x idf, L2-normalised) or mean "
                  "(fastText's average)")
      ->check(CLI::IsMember({"tfidf", "mean"}))
      ->capture_default_str()
      ->group(linear_group);
  cmd->add_option("--config", args->config,
                  "Train from scratch with the architecture of an HF config.json")
      ->check(CLI::ExistingFile)
      ->group(model_group);
  cmd->add_option("--init", args->init,
                  "Fine-tune an HF checkpoint directory (config.json, model.safetensors or "
                  "pytorch_model.bin, vocab.txt or tokenizer.json); its classification head is "
                  "initialised fresh for this data's labels")
      ->check(CLI::ExistingDirectory)
      ->group(model_group);
  cmd->add_option("--vocab", args->vocab,
                  "vocab.txt for a model trained from scratch (e.g. "
                  "../shared/models/bert-base-uncased-vocab.txt). Default: a WordPiece "
                  "vocabulary of --vocab-size tokens is trained on the training split (as "
                  "`greenbert vocab` does); the embedding matrix is sized to the vocabulary")
      ->check(CLI::ExistingFile)
      ->group(model_group);
  cmd->add_option("--vocab-size", args->vocab_size,
                  "Size of the vocabulary trained when --vocab is not given. A small one keeps "
                  "the embedding matrix small (bert-tiny: 1.0M instead of 3.9M parameters at "
                  "8192 vs 30522 tokens) and trains faster and as well from scratch")
      ->capture_default_str()
      ->group(model_group);

  const std::string hyper =
      "Training (defaults: fine-tuning --init as the study: 3 epochs, lr "
      "2e-5, no warm-up; from scratch: 8 epochs, lr 1e-3, warm-up 6%)";
  cmd->add_option("--epochs", args->epochs, "Passes over the training split")->group(hyper);
  cmd->add_option("--batch-size", args->train.batch_size,
                  "Sequences per batch (batches are formed by length, see README)")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--grad-accum", args->train.grad_accum,
                  "Batches whose gradients are accumulated per optimizer update (effective "
                  "batch = batch size x this)")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--lr", args->lr,
                  "Peak learning rate of AdamW (linear warm-up, then linear decay to 0). A "
                  "pre-trained encoder needs a small one (2e-5); a random one learns nothing "
                  "useful at that rate in a few epochs, hence 1e-3 from scratch")
      ->group(hyper);
  cmd->add_option("--warmup", args->warmup,
                  "Linear warm-up: a ratio of the total steps when below 1 (0.06 = 6%), else a "
                  "number of steps. High learning rates from scratch need it")
      ->group(hyper);
  cmd->add_option("--weight-decay", args->train.weight_decay,
                  "AdamW decoupled weight decay (not applied to biases and LayerNorm)")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--max-grad-norm", args->train.max_grad_norm,
                  "Clip the global gradient norm to this (0: no clipping)")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--max-length", args->train.max_length,
                  "Tokens per example, [CLS] and [SEP] included; longer texts are truncated")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--eval-every", args->train.eval_every,
                  "Also validate (and keep the best model) every N steps; 0: only at epoch ends")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--precision", args->precision,
                  "GEMM precision of training: fp32, or bf16 (bfloat16 inputs, fp32 "
                  "accumulation; AMX/AVX512-BF16 make it faster). Weights, gradients and AdamW "
                  "stay fp32")
      ->check(precision_check({Precision::fp32, Precision::bf16}))
      ->capture_default_str()
      ->group(hyper);

  add_threads_option(*cmd, args->threads);
  cmd->add_option("--checkpoint-every", args->train.checkpoint_every,
                  "Steps between checkpoints (one is also written at every validation and on "
                  "Ctrl-C/SIGTERM)")
      ->capture_default_str();
  cmd->add_flag("--resume", args->resume,
                "Continue the interrupted run in --out with the options it was started with "
                "(options given here must agree with them)");
  cmd->add_flag("--force", args->force,
                "Continue the run even though its data changed since it started (its checkpoint "
                "records a fingerprint of the data; without --force a change is an error)");
  add_energy_options(*cmd, args->energy);
  cmd->callback([cmd, args] {
    args->max_length_given = cmd->count("--max-length") > 0;
    run(*cmd, *args);
  });
}

}  // namespace greenbert::cli
