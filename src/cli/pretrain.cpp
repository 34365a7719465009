// `greenbert pretrain`: self-supervised pre-training of an encoder on unlabeled text
// (train/pretrainer.h) into a model directory that `greenbert train --init` fine-tunes.
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
#include "core/error.h"
#include "core/json_fields.h"
#include "core/process_group.h"
#include "core/run_seeds.h"
#include "core/stop_signals.h"
#include "core/threads.h"
#include "data/split_directory.h"
#include "model/model_directory.h"
#include "text/vocab_trainer.h"
#include "train/pretrainer.h"
#include "train/run_directory.h"

namespace greenbert::cli {
namespace {

struct PretrainArgs {
  DataOptions data;
  std::string out;
  std::string preset, config, vocab;
  size_t vocab_size = 8192;
  std::string objective = "mlm";
  std::string precision = "auto";
  int64_t heldout = 500;
  PretrainOptions train;
  int threads = 0;
  bool resume = false;
  EnergyOptions energy;

  std::string model_name() const { return !preset.empty() ? preset : config; }
};

// A plain text file (one text per line) rather than papers.
bool is_text_file(const std::string& path) {
  return std::filesystem::path(path).extension() == ".txt";
}

// bf16 GEMMs where the CPU multiplies bf16 natively (AVX512-BF16, AMX: about twice fp32's
// rate); fp32 elsewhere, where bf16 would be emulated by the fp32 kernel on rounded operands
// and only be slower (measured on an AVX2 Zen 3: see docs/pretraining.md).
Precision fastest_precision() {
  GemmShape probe;
  probe.m = 256, probe.n = 256, probe.k = 256;
  probe.precision = Precision::bf16;
  const std::string implementation = gemm_implementation(probe);
  return implementation.find("emulated") == std::string::npos ? Precision::bf16 : Precision::fp32;
}

// The options that decide what a run computes; a run continues only under the same ones.
nlohmann::json binding_json(const PretrainArgs& a) {
  nlohmann::json json = data_options_json(a.data);
  json["preset"] = a.preset;
  json["config"] = recorded_path(a.config);
  json["vocab"] = recorded_path(a.vocab);
  json["vocab-size"] = a.vocab_size;
  json["objective"] = a.objective;
  json["mask-probability"] = a.train.mask_probability;
  json["whole-word"] = a.train.whole_word;
  json["generator-layers"] = a.train.generator_layers;
  json["rtd-weight"] = a.train.rtd_weight;
  json["heldout"] = a.heldout;
  optimization_to_json(a.train, json);
  json["precision"] = precision_name(a.train.precision);
  return json;
}

void resolve(PretrainArgs& a) {
  if (a.data.data.empty()) usage_error("pretrain: --data is required");
  if (a.preset.empty() == a.config.empty())
    usage_error("pretrain: give exactly one of --preset NAME or --config CONFIG_JSON");
  a.train.objective = parse_objective(a.objective);
  a.train.precision =
      a.precision == "auto" ? fastest_precision() : parse_precision(a.precision, "--precision");
  a.train.seed = a.data.seed;
  validate(a.train);
}

// The run's own options (for --resume; reconcile_run has checked that those given match them).
void args_from_json(const nlohmann::json& j, PretrainArgs& a) {
  const std::string source = (std::filesystem::path(a.out) / kPretrainingRunFiles.options).string();
  data_options_from_run([](const std::string&) { return false; }, j, source, a.data);
  try {
    a.preset = j.at("preset").get<std::string>();
    a.config = j.at("config").get<std::string>();
    a.vocab = j.at("vocab").get<std::string>();
    a.vocab_size = json_integer<size_t>(j.at("vocab-size"), "vocab-size");
    a.objective = j.at("objective").get<std::string>();
    a.train.mask_probability = j.at("mask-probability").get<double>();
    a.train.whole_word = j.at("whole-word").get<bool>();
    a.train.generator_layers = json_integer<int64_t>(j.at("generator-layers"), "generator-layers");
    a.train.rtd_weight = j.at("rtd-weight").get<double>();
    a.heldout = json_integer<int64_t>(j.at("heldout"), "heldout");
    optimization_from_json(j, a.train);
    a.precision = j.at("precision").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    fail(source, ": ", e.what());
  }
}

// What --out holds decides what the command does (train/run_directory.h). On --resume, the
// run's own options replace the command's.
RunAction reconcile_with_run_dir(const CLI::App& command, PretrainArgs& a) {
  auto options = [&] {
    if (!a.resume) {
      resolve(a);
      return binding_json(a);
    }
    // Only the options given are compared: --data, --preset and --config may be missing.
    PretrainArgs shown = a;
    shown.train.precision =
        a.precision == "auto" ? fastest_precision() : parse_precision(a.precision, "--precision");
    return binding_json(shown);
  };
  nlohmann::json stored;
  const RunAction action = reconcile_run(
      a.out, kPretrainingRunFiles, options,
      [&](const std::string& key) { return command.count("--" + key) > 0; }, a.resume, stored);
  if (action == RunAction::start) resolve(a);
  if (action == RunAction::resume && a.resume) {
    args_from_json(stored, a);
    resolve(a);
  }
  return action;
}

// Titles and abstracts of the training split (validation and test papers are never read), or
// the lines of a text file.
std::vector<Example> pretraining_texts(const PretrainArgs& a, TextInput& text) {
  if (is_text_file(a.data.data)) {
    text = TextInput::abstract;
    return read_text_lines(a.data.data);
  }
  Dataset dataset = load_dataset(a.data.data, to_load_options(a.data));
  print_load_warnings(dataset);
  text = dataset.text;
  return std::move(dataset.train);
}

BertTokenizer pretraining_tokenizer(const PretrainArgs& a, const std::filesystem::path& dir,
                                    std::span<const Example> texts, bool resumed) {
  if (resumed) return BertTokenizer::from_file(dir / model_files::kVocab);
  if (!a.vocab.empty()) return BertTokenizer::from_file(a.vocab);
  std::vector<std::string> corpus;
  for (const Example& e : texts) {
    if (!e.title.empty()) corpus.push_back(e.title);
    corpus.push_back(e.abstract);
  }
  VocabTrainerOptions options;
  options.normalizer.lowercase = true;
  options.normalizer.strip_accents = true;
  std::fprintf(stderr, "pretrain: training a %zu-token WordPiece vocabulary on %zu texts\n",
               a.vocab_size, corpus.size());
  auto tokens = train_wordpiece_vocab(corpus, a.vocab_size, options);
  return BertTokenizer(Vocab::from_tokens(std::move(tokens), "trained vocabulary"),
                       options.normalizer);
}

ClassifierModel pretraining_model(const PretrainArgs& a, BertTokenizer tokenizer) {
  BertConfig config = a.preset.empty() ? load_config(a.config) : preset_config(a.preset);
  config.vocab_size = tokenizer.vocab().size();
  const int32_t pad = tokenizer.vocab().pad_id();
  if (pad < 0) fail(tokenizer.vocab().source(), ": no [PAD] token");
  config.pad_token_id = pad;
  LayoutOptions layout;
  layout.masked_lm_head = a.train.objective == PretrainObjective::mlm;
  layout.replaced_token_head = a.train.objective == PretrainObjective::rtd;
  return new_model(config, std::move(tokenizer), derive_seed(a.train.seed, SeedPurpose::model_init),
                   layout);
}

void run(const CLI::App& command, PretrainArgs& a) {
  // N copies would each pre-train alone, N-1 of them refused by the run directory's lock.
  if (started_as_one_of_several_ranks())
    fail(
        "pretrain does not train data-parallel over MPI ranks yet (train does): run it without "
        "mpirun, on one process with --threads");
  StopSignals stop(
      "\ngreenbert: stopping after this step to write a checkpoint (again to quit at once; the "
      "run directory stays valid)\n");
  const RunAction action = reconcile_with_run_dir(command, a);
  const std::filesystem::path dir = a.out;
  if (action == RunAction::finished) {
    std::printf("pretrain: %s is a finished run (%s); nothing to do\n", dir.c_str(),
                kPretrainingRunFiles.metrics);
    return;
  }
  validate_energy_options(a.energy);
  const int threads = set_thread_count(a.threads);
  TextInput text = TextInput::abstract;
  const std::vector<Example> texts = pretraining_texts(a, text);
  const bool has_checkpoint = std::filesystem::exists(checkpoint_file(dir / "checkpoint"));
  ClassifierModel model =
      pretraining_model(a, pretraining_tokenizer(a, dir, texts, has_checkpoint));
  CorpusOptions corpus_options;
  corpus_options.text = text;
  corpus_options.max_length = static_cast<size_t>(a.train.max_length);
  corpus_options.heldout = a.heldout;
  corpus_options.seed = a.train.seed;
  const PretrainCorpus corpus = make_pretrain_corpus(model.tokenizer, texts, corpus_options);
  if (action == RunAction::start) {
    std::filesystem::create_directories(dir);
    nlohmann::json config = binding_json(a);
    config["threads"] = threads;
    config["checkpoint-every"] = a.train.checkpoint_every;
    save_run_config(dir, config, kPretrainingRunFiles.options);
  }
  std::fprintf(stderr,
               "pretrain: %s (%s), %lld parameters, %lld texts (%lld held out) in %lld windows "
               "of up to %lld tokens (%lld tokens), %d threads, %s GEMMs -> %s\n",
               a.model_name().c_str(), objective_name(a.train.objective),
               static_cast<long long>(model.params.layout().parameter_count()),
               static_cast<long long>(corpus.texts), static_cast<long long>(corpus.heldout_texts),
               static_cast<long long>(corpus.train.size()),
               static_cast<long long>(a.train.max_length),
               static_cast<long long>(corpus.train.tokens()), threads,
               precision_name(a.train.precision), dir.c_str());

  PretrainRun run;
  run.dir = dir;
  run.options = a.train;
  run.model_name = a.model_name();
  run.data_path = recorded_path(a.data.data);
  run.energy = a.energy;
  run.stop = &stop.flag();
  try {
    pretrain_encoder(run, model, corpus);
  } catch (const PretrainingInterrupted& e) {
    throw StoppedBySignal(stop.signal(), cat(e.what(), ". Resume with: greenbert pretrain --out ",
                                             dir.string(), " --resume"));
  }
  std::printf(
      "pretrain: %s is ready: fine-tune it with `greenbert train --init %s --data ...`; "
      "pretrain_metrics.json, train_log.csv, heldout_log.csv, emissions.csv\n",
      dir.c_str(), dir.c_str());
}

}  // namespace

void add_pretrain_command(CLI::App& app) {
  auto args = std::make_shared<PretrainArgs>();
  auto* cmd = app.add_subcommand(
      "pretrain",
      "Pre-train an encoder on unlabeled text (masked-language modelling, or ELECTRA's "
      "replaced-token detection) into a model directory that `greenbert train --init DIR` "
      "fine-tunes. Reads the training split of a paper file (titles and abstracts; validation "
      "and test papers are never read) or a .txt file of one text per line. Interrupt with "
      "Ctrl-C and continue with --resume: bit-identical to an uninterrupted run with the same "
      "--threads");
  add_data_options(*cmd, args->data, /*required=*/false);
  cmd->get_option("--data")->description(
      "Papers (.csv, .json/.jsonl, a split directory: their training split is read) or a .txt "
      "file of one text per line");
  cmd->add_option("--out", args->out,
                  "Run directory: the pre-trained model, logs, pretrain_metrics.json, "
                  "emissions.csv, and checkpoint/ while running")
      ->required();
  const std::string model_group = "Model";
  std::string presets;
  for (const auto& name : preset_names()) presets += (presets.empty() ? "" : ", ") + name;
  cmd->add_option("--preset", args->preset, cat("Architecture: ", presets))->group(model_group);
  cmd->add_option("--config", args->config, "Architecture of an HF config.json")
      ->check(CLI::ExistingFile)
      ->group(model_group);
  cmd->add_option("--vocab", args->vocab,
                  "vocab.txt (default: a WordPiece vocabulary of --vocab-size tokens trained on "
                  "the pre-training texts; it travels with the model into fine-tuning)")
      ->check(CLI::ExistingFile)
      ->group(model_group);
  cmd->add_option("--vocab-size", args->vocab_size, "Size of the vocabulary trained")
      ->capture_default_str()
      ->group(model_group);

  const std::string objective = "Objective";
  cmd->add_option("--objective", args->objective,
                  "mlm: masked-language modelling; rtd: ELECTRA's replaced-token detection "
                  "with a small generator sharing the embeddings")
      ->check(CLI::IsMember({"mlm", "rtd"}))
      ->capture_default_str()
      ->group(objective);
  cmd->add_option("--mask-probability", args->train.mask_probability,
                  "Share of the tokens (or words) masked in each sequence, afresh every step "
                  "(80 % [MASK], 10 % random, 10 % kept)")
      ->capture_default_str()
      ->group(objective);
  cmd->add_flag("--whole-word", args->train.whole_word,
                "Mask whole words: a word's \"##\" pieces with it, or none of them")
      ->group(objective);
  cmd->add_option("--generator-layers", args->train.generator_layers,
                  "rtd: layers of the generator (the encoder's width)")
      ->capture_default_str()
      ->group(objective);
  cmd->add_option("--rtd-weight", args->train.rtd_weight,
                  "rtd: weight of the discriminator's loss (ELECTRA's lambda)")
      ->capture_default_str()
      ->group(objective);
  cmd->add_option("--heldout", args->heldout,
                  "Texts held out of pre-training to measure its loss on")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str()
      ->group(objective);

  const std::string hyper = "Training";
  cmd->add_option("--epochs", args->train.epochs, "Passes over the text")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--batch-size", args->train.batch_size, "Sequences per batch")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--grad-accum", args->train.grad_accum, "Batches per optimizer update")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--lr", args->train.lr, "Peak learning rate (linear warm-up and decay)")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--warmup", args->train.warmup,
                  "Warm-up: a ratio of the total steps below 1, else a number of steps")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--weight-decay", args->train.weight_decay, "AdamW decoupled weight decay")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--max-grad-norm", args->train.max_grad_norm, "Global-norm clipping (0: off)")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--max-length", args->train.max_length,
                  "Tokens per sequence: longer texts are cut into several sequences, not "
                  "truncated. Use the --max-length you will fine-tune with")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--eval-every", args->train.eval_every,
                  "Steps between held-out evaluations (0: at epoch ends)")
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--precision", args->precision,
                  "GEMM precision: auto (bf16 where the CPU multiplies bf16 natively, else "
                  "fp32), fp32 or bf16")
      ->check((CLI::IsMember({"auto"}) | precision_check({Precision::fp32, Precision::bf16}))
                  .description("{auto, fp32, bf16}"))
      ->capture_default_str()
      ->group(hyper);
  cmd->add_option("--threads", args->threads, "Threads (0: the physical cores)")
      ->capture_default_str();
  cmd->add_option("--checkpoint-every", args->train.checkpoint_every,
                  "Steps between checkpoints (also at held-out evaluations and on Ctrl-C)")
      ->capture_default_str();
  cmd->add_flag("--resume", args->resume,
                "Continue the interrupted run in --out with the options it was started with");
  add_energy_options(*cmd, args->energy);
  cmd->callback([cmd, args] { run(*cmd, *args); });
}

}  // namespace greenbert::cli
