// `greenbert study`: the whole study in one command — split, train, evaluate, quantize,
// evaluate again, benchmark, report — for several models, each stage a child process of this
// binary, resumable by running the same command again.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/energy_options.h"
#include "cli/exit_codes.h"
#include "cli/precision_option.h"
#include "cli/threads_option.h"
#include "core/child_process.h"
#include "core/error.h"
#include "core/threads.h"
#include "model/config.h"
#include "model/model_directory.h"
#include "study/study_runner.h"

namespace greenbert::cli {
namespace {

struct StudyArgs {
  std::string data;
  std::string out;
  std::vector<std::string> models;
  std::vector<std::string> inits;
  std::string vocab;
  int vocab_size = 8192;
  int64_t max_rows = 0;
  uint64_t seed = 42;
  int epochs = 0;
  int threads = 0;
  std::vector<std::string> precisions = {"fp32", "bf16", "int8"};
  std::vector<int> batch_sizes = {1, 4, 16};
  int max_length = 150;
  int bench_repeats = 10;
  int64_t bench_rows = 0;
  int64_t lifetime_predictions = 1'000'000;
  bool dry_run = false;
  bool linear = true;  // the linear baseline as a row of its own
  bool pretrain = false;
  int pretrain_epochs = 1;
  std::string stage_executable;
  EnergyOptions energy;
};

const std::vector<std::string> kDefaultModels = {"bert-tiny", "tinybert"};

// A directory name from a checkpoint's name: letters, digits, '.', '-', '_' only.
std::string model_name_for(const std::filesystem::path& dir) {
  std::string name =
      dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return name.empty() || name == "." || name == ".." ? "checkpoint" : name;
}

std::vector<StudyModel> study_models(const StudyArgs& args) {
  std::vector<StudyModel> models;
  std::set<std::string> names;
  auto unique = [&](std::string name) {
    std::string candidate = name;
    for (int n = 2; names.count(candidate) > 0; ++n) candidate = cat(name, "-", n);
    names.insert(candidate);
    return candidate;
  };
  const auto& presets = args.models.empty() && args.inits.empty() ? kDefaultModels : args.models;
  for (const auto& preset : presets) {
    if (preset == kLinearPreset) continue;            // added below, once
    const BertConfig config = preset_config(preset);  // an unknown name fails here
    const double size =
        encoder_size(config.num_layers, config.hidden_size, config.intermediate_size);
    models.push_back({unique(preset), preset, "", size});
    if (args.pretrain) models.push_back({unique(preset + "-pretrained"), preset, "", size, true});
  }
  for (const auto& init : args.inits) {
    const auto dir = std::filesystem::weakly_canonical(std::filesystem::absolute(init));
    if (!std::filesystem::is_directory(dir))
      fail("--init ", init, ": not a directory (an HF checkpoint directory is expected)");
    // Opened (and checked) before any stage runs: a bad checkpoint fails the study at once.
    const BertConfig config = ModelDirectory::open(dir).config;
    models.push_back(
        {unique(model_name_for(dir)), "", dir.string(),
         encoder_size(config.num_layers, config.hidden_size, config.intermediate_size)});
  }
  if (args.linear) models.push_back({unique(kLinearPreset), kLinearPreset, "", 0});
  return models;
}

StudySettings settings_from(const StudyArgs& args) {
  StudySettings s;
  if (!std::filesystem::exists(args.data)) fail("--data ", args.data, ": no such file");
  s.data = std::filesystem::weakly_canonical(std::filesystem::absolute(args.data)).string();
  s.max_rows = args.max_rows;
  s.seed = args.seed;
  if (args.epochs > 0) s.epochs = args.epochs;
  s.pretrain_epochs = args.pretrain_epochs;
  s.threads = args.threads > 0 ? args.threads : physical_core_count();
  s.models = study_models(args);
  for (const auto& name : args.precisions) {
    const Precision precision = parse_precision(name, "--precisions");
    if (std::find(s.precisions.begin(), s.precisions.end(), precision) == s.precisions.end())
      s.precisions.push_back(precision);
  }
  s.batch_sizes = args.batch_sizes;
  std::sort(s.batch_sizes.begin(), s.batch_sizes.end());
  s.batch_sizes.erase(std::unique(s.batch_sizes.begin(), s.batch_sizes.end()), s.batch_sizes.end());
  if (!args.vocab.empty()) {
    if (!std::filesystem::exists(args.vocab)) fail("--vocab ", args.vocab, ": no such file");
    s.vocab = std::filesystem::weakly_canonical(std::filesystem::absolute(args.vocab)).string();
  }
  s.vocab_size = args.vocab_size;
  s.max_length = args.max_length;
  s.bench_repeats = args.bench_repeats;
  s.bench_rows = args.bench_rows;
  s.lifetime_predictions = args.lifetime_predictions;
  s.energy_args = energy_option_arguments(args.energy);
  return s;
}

void run(const StudyArgs& args) {
  validate_energy_options(args.energy);
  const StudySettings settings = settings_from(args);
  StudyRunOptions options;
  options.dir = std::filesystem::absolute(args.out).lexically_normal();
  if (std::filesystem::exists(options.dir) && !std::filesystem::is_directory(options.dir))
    fail("--out ", args.out, ": exists and is not a directory");
  options.executable = args.stage_executable.empty()
                           ? this_executable().string()
                           : std::filesystem::absolute(args.stage_executable).string();
  options.energy = args.energy;
  options.dry_run = args.dry_run;
  const StudyOutcome outcome = run_study(settings, options);
  if (args.dry_run) return;
  std::fprintf(
      stderr, "study: %d stages: %d ran, %d skipped (done earlier), %zu failed, %zu blocked\n",
      outcome.stages, outcome.ran, outcome.skipped, outcome.failed.size(), outcome.blocked.size());
  if (outcome.interrupted)
    throw StoppedBySignal(
        outcome.stop_signal,
        cat("study interrupted (signal ", outcome.stop_signal, ", ", strsignal(outcome.stop_signal),
            "); run the same command again to resume (finished stages are kept, training "
            "continues from its last checkpoint)"));
  if (!outcome.failed.empty() || !outcome.blocked.empty()) {
    std::string list;
    for (const auto& f : outcome.failed) list += "\n  failed: " + f;
    for (const auto& b : outcome.blocked) list += "\n  blocked: " + b;
    fail(
        "study: some stages did not finish (the report covers the others; fix the cause and "
        "run the same command again to retry them):",
        list);
  }
  std::printf("study: report in %s/report.html and report.md\n", options.dir.c_str());
}

}  // namespace

void add_study_command(CLI::App& app) {
  auto args = std::make_shared<StudyArgs>();
  auto* cmd = app.add_subcommand(
      "study",
      "The whole study in one command: split the data, then for each model train, evaluate, "
      "quantize (bf16, int8), evaluate each, benchmark, and write the report with plots; every "
      "stage is energy-tracked, runs as its own process, and is skipped when re-run once done");
  cmd->add_option("--data", args->data, "Data file (Kaggle's arXiv CSV or Cornell's JSON Lines)")
      ->required();
  cmd->add_option("--out", args->out,
                  "Study directory (created; re-running with the same directory resumes)")
      ->required();
  cmd->add_option("--models", args->models,
                  "Presets to train from scratch, comma-separated (default: bert-tiny,tinybert "
                  "unless --init is given; those finish on a laptop-class CPU)")
      ->delimiter(',');
  cmd->add_option("--init", args->inits,
                  "A Hugging Face checkpoint directory to fine-tune (repeatable); added to "
                  "--models")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--vocab", args->vocab,
                  "vocab.txt for the presets (default: a WordPiece vocabulary trained on the "
                  "training split by the study's vocab stage)");
  cmd->add_option("--vocab-size", args->vocab_size,
                  "Size of the vocabulary the study trains for presets (small vocabularies keep "
                  "the embedding matrix, most of a small model, small)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-rows", args->max_rows, "Read at most this many papers (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the split and of training")->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Training epochs (default: train's default)")
      ->check(CLI::PositiveNumber);
  add_threads_option(*cmd, args->threads, "Threads for training and benchmarks");
  cmd->add_option("--precisions", args->precisions,
                  "Precisions to evaluate and benchmark, comma-separated (fp32, bf16, int8)")
      ->delimiter(',')
      ->check(precision_check({Precision::fp32, Precision::bf16, Precision::int8}))
      ->capture_default_str();
  cmd->add_option("--batch-sizes", args->batch_sizes, "Benchmark batch sizes, comma-separated")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-length", args->max_length,
                  "Tokens per abstract, [CLS] and [SEP] included, in every stage (training, "
                  "evaluation, benchmarks); longer ones are truncated")
      ->check(CLI::Range(3, 512))
      ->capture_default_str();
  cmd->add_option("--bench-repeats", args->bench_repeats,
                  "Timed repeats of each benchmark configuration (after one warm-up)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--bench-rows", args->bench_rows,
                  "Test examples in each benchmark's throughput pass (0: the whole test split)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--lifetime-predictions", args->lifetime_predictions,
                  "Predictions over a model's life, for the report's lifetime energy (training + "
                  "quantization + this many predictions) and the most efficient model")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("!--no-linear", args->linear,
                "Leave out the linear baseline (bag of n-grams + one sigmoid per label, trained in "
                "seconds), which every study trains by default as the cheapest model to beat");
  cmd->add_flag("--pretrain", args->pretrain,
                "Also train each preset pre-trained: its encoder pre-trained on the training "
                "split (greenbert pretrain, masked-language modelling) and then fine-tuned, as "
                "model PRESET-pretrained; the report charges the pre-training energy to it");
  cmd->add_option("--pretrain-epochs", args->pretrain_epochs,
                  "Epochs of each pre-training (with --pretrain)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--dry-run", args->dry_run,
                "Print the stages, their commands and whether each would run, then stop");
  // Tests run the study with stand-in stage programs through this.
  cmd->add_option("--stage-exe", args->stage_executable,
                  "Program that runs the stages (default: this greenbert)")
      ->group("");
  add_energy_options(*cmd, args->energy);
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
