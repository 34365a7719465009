// `greenbert predict`: classifies texts with a model directory, one JSON line per input.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/energy_options.h"
#include "cli/exit_codes.h"
#include "cli/precision_option.h"
#include "cli/run_config.h"
#include "cli/threads_option.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/option_differences.h"
#include "core/progress.h"
#include "core/threads.h"
#include "data/predict_reader.h"
#include "energy/energy_tracker.h"
#include "infer/classifier.h"
#include "infer/label_decisions.h"
#include "infer/prediction_shards.h"

namespace greenbert::cli {

namespace {

struct PredictArgs {
  std::string model;
  std::string input;
  int64_t top_k = 5;
  std::optional<float> threshold;
  bool output_logits = false;
  int64_t batch_size = 32;
  std::optional<int64_t> max_length;
  std::string text;
  std::string title_column = "titles";
  std::string text_column = "summaries";
  int threads = 0;
  std::optional<Precision> precision;
  std::string emissions;
  EnergyOptions energy;
  std::string output;
  bool resume = false;
  std::string shard = "0/1";
};

// The input's id, when it has one, leads its output line.
nlohmann::ordered_json line_for(const PredictInput& input) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!input.id.empty()) out["id"] = input.id;
  return out;
}

// The answer to an input with no text.
std::string empty_prediction(const PredictInput& input) {
  nlohmann::ordered_json out = line_for(input);
  out["labels"] = nlohmann::ordered_json::array();
  out["probabilities"] = nlohmann::ordered_json::object();
  out["empty"] = true;
  return out.dump() + "\n";
}

// One output line: labels at or above their threshold, the top-k probabilities, and the raw
// logits when asked.
std::string format_prediction(const Classifier& c, const PredictInput& input,
                              std::span<const float> logits, std::span<const float> probabilities,
                              std::span<const float> thresholds, int64_t top_k, bool with_logits) {
  const auto& names = c.config.labels;
  nlohmann::ordered_json out = line_for(input);
  out["labels"] = nlohmann::ordered_json::array();
  for (int64_t l : labels_at_threshold(probabilities, thresholds))
    out["labels"].push_back(names[static_cast<size_t>(l)]);
  out["probabilities"] = nlohmann::ordered_json::object();
  for (int64_t l : most_probable_labels(probabilities, top_k))
    out["probabilities"][names[static_cast<size_t>(l)]] = probabilities[static_cast<size_t>(l)];
  if (with_logits) out["logits"] = std::vector<float>(logits.begin(), logits.end());
  return out.dump() + "\n";
}

// The options that decide the lines of an --output (infer/prediction_shards.h's record).
nlohmann::json output_options_json(const PredictArgs& a) {
  return {{"model", recorded_path(a.model)},
          {"input", recorded_path(a.input)},
          {"input-bytes", std::filesystem::file_size(a.input)},
          {"shard", a.shard},
          {"top-k", a.top_k},
          {"threshold", a.threshold ? nlohmann::json(*a.threshold) : nlohmann::json()},
          {"output-logits", a.output_logits},
          {"max-length", a.max_length ? nlohmann::json(*a.max_length) : nlohmann::json()},
          {"text", a.text},
          {"precision", a.precision ? precision_name(*a.precision) : "auto"},
          {"title-column", a.title_column},
          {"text-column", a.text_column}};
}

// What --output holds before this run: nothing (a new output, recorded and created empty, so
// that even a shard without inputs leaves its file), or, with --resume, the answers of an
// output written with the same options.
PredictionRecord prepare_output(const PredictArgs& a) {
  PredictionRecord record;
  if (a.output.empty()) {
    if (a.resume) usage_error("predict: --resume continues an --output file; give --output");
    return record;
  }
  if (a.input.empty()) usage_error("predict: --output needs --input (stdin cannot be read again)");
  const std::filesystem::path out = a.output;
  record.options = output_options_json(a);
  if (!a.resume) {
    if (std::filesystem::exists(out) && std::filesystem::file_size(out) > 0)
      fail(out.string(), ": exists; --resume continues it, or choose another --output");
    write_prediction_record(out, record);
    append_file_durably(out, "");
    return record;
  }
  const std::optional<PredictionRecord> then = read_prediction_record(out);
  if (!then)
    fail(out.string(), ": nothing to resume (no ", prediction_record_file(out).filename().string(),
         ", which predict --output writes first)");
  if (const std::string differing = differing_options(then->options, record.options);
      !differing.empty())
    fail(out.string(), ": was written with other options: ", differing,
         ". --resume continues it only with the same ones");
  record.complete = then->complete;
  record.answers = then->complete ? then->answers : count_whole_lines(out);
  return record;
}

// Where the answers go: stdout as soon as a batch is done, or --output, appended in whole lines
// about once a second (an interruption loses at most that second; --resume redoes it).
class PredictionSink {
 public:
  explicit PredictionSink(std::string output) : output_(std::move(output)) {}
  void write(const std::string& lines) {
    if (output_.empty()) {
      std::fwrite(lines.data(), 1, lines.size(), stdout);
      std::fflush(stdout);
      return;
    }
    pending_ += lines;
    if (std::chrono::steady_clock::now() - last_append_ >= std::chrono::seconds(1)) flush();
  }
  void flush() {
    if (output_.empty() || pending_.empty()) return;
    append_file_durably(output_, pending_);
    pending_.clear();
    last_append_ = std::chrono::steady_clock::now();
  }

 private:
  std::string output_;
  std::string pending_;
  std::chrono::steady_clock::time_point last_append_ = std::chrono::steady_clock::now();
};

void run(PredictArgs& a) {
  // std::cin with a buffer of its own, so a batch can tell the lines already read from those
  // yet to come (in_avail); nothing has read stdin before this.
  std::ios::sync_with_stdio(false);
  if (a.top_k < 0) usage_error("predict: --top-k must be >= 0");
  if (a.threshold && !(*a.threshold >= 0 && *a.threshold <= 1))
    usage_error("predict: --threshold must be in [0, 1]");
  const Shard shard = parse_shard(a.shard, "predict: --shard");
  a.shard = shard_name(shard);
  PredictionRecord record = prepare_output(a);
  if (record.complete) {
    std::printf("predict: %s is complete (%lld answers); nothing to do\n", a.output.c_str(),
                static_cast<long long>(record.answers));
    return;
  }
  const int64_t answered = record.answers;
  set_thread_count(a.threads);
  ModelDirectory model = ModelDirectory::open(a.model);
  const RunInputEncoding encoding = run_input_encoding(model, a.max_length, a.text);
  const Classifier classifier = open_classifier(
      std::move(model), {a.batch_size, encoding.max_length, a.precision, a.threads});
  const int64_t max_length = classifier.max_length;
  const int64_t labels = classifier.config.num_labels();
  const std::vector<float> thresholds =
      a.threshold ? std::vector<float>{*a.threshold}
                  : std::vector<float>(classifier.thresholds.effective().begin(),
                                       classifier.thresholds.effective().end());

  std::ifstream file;
  if (!a.input.empty()) {
    file.open(a.input, std::ios::binary);
    if (!file) fail(a.input, ": cannot open");
  }
  std::istream& in = a.input.empty() ? std::cin : file;
  PredictReaderOptions options;
  options.ids_lines = a.output_logits;
  options.title_column = a.title_column;
  options.text_column = a.text_column;
  PredictReader reader(in, a.input.empty() ? "stdin" : a.input,
                       a.input.empty() ? PredictFormat::lines : predict_format_of(a.input),
                       options);
  // A batch takes only the inputs already there (up to --batch-size): a person typing, a pipe
  // that stays open or `tail -f` gets each answer as soon as its line arrives.
  const auto input_waiting = [&] {
    if (!a.input.empty()) return true;
    if (std::cin.rdbuf()->in_avail() > 0) return true;
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    return ::poll(&fd, 1, 0) > 0;
  };
  std::optional<EnergyTracker> tracker;
  if (!a.emissions.empty())
    tracker.emplace("predict", a.emissions, a.energy, "greenbert", "predict");
  // Answers go to a file only with --output, so progress on stderr then (rather than with
  // answers on a terminal).
  std::optional<Progress> progress;
  if (!a.output.empty()) {
    if (answered > 0)
      std::fprintf(stderr, "predict: %s answers %lld inputs already; continuing after them\n",
                   a.output.c_str(), static_cast<long long>(answered));
    progress.emplace("predict", 0, "inputs", answered);
  }
  PredictionSink sink(a.output);

  // Output lines stay aligned with inputs: one with no text (an empty line or field, only
  // spaces) is answered with an empty prediction and a warning naming it. This shard's inputs
  // that --output answers already are read and passed over.
  std::vector<PredictInput> inputs;
  std::vector<int64_t> positions;
  PredictInput input;
  int64_t position = -1;  // of the last input read
  int64_t to_pass_over = answered;
  int64_t done = answered;
  bool more = true;
  while (more) {
    inputs.clear();
    positions.clear();
    do {
      if (!(more = reader.next(input))) break;
      ++position;
      if (!shard.holds(position)) continue;
      if (to_pass_over > 0) {
        --to_pass_over;
        continue;
      }
      positions.push_back(position);
      inputs.push_back(std::move(input));
    } while (inputs.size() < static_cast<size_t>(a.batch_size) && input_waiting());
    if (inputs.empty()) continue;
    const EncodedInputs encoded = encode_inputs(inputs, classifier.tokenizer, classifier.config,
                                                encoding.text, static_cast<size_t>(max_length));
    for (const std::string& problem : encoded.problems)
      if (!problem.empty())
        std::fprintf(stderr, "predict: warning: %s: answered with no labels\n", problem.c_str());
    const auto logits = predict_logits(classifier.logits, labels, a.batch_size, encoded.encoded);
    const auto probabilities = probabilities_of(logits, labels, classifier.activation);
    if (tracker) tracker->add_work(encoded.encoded.size(), encoded.encoded.tokens());
    std::string out;
    size_t at = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string line;
      if (!encoded.problems[i].empty()) {
        line = empty_prediction(inputs[i]);
      } else {
        line = format_prediction(
            classifier, inputs[i],
            std::span<const float>(logits).subspan(at, static_cast<size_t>(labels)),
            std::span<const float>(probabilities).subspan(at, static_cast<size_t>(labels)),
            thresholds, a.top_k, a.output_logits);
        at += static_cast<size_t>(labels);
      }
      out += shard.sharded() ? indexed_line(positions[i], line) : line;
    }
    sink.write(out);
    done += static_cast<int64_t>(inputs.size());
    if (progress) progress->update(done);
  }
  sink.flush();
  if (to_pass_over > 0)
    fail(a.output, ": holds ", answered, " answers, but this shard of ", a.input, " has only ",
         answered - to_pass_over,
         " inputs: the input changed since (start again without --resume)");
  if (progress) progress->finish();
  if (!a.output.empty()) {
    record.complete = true;
    record.answers = done;
    write_prediction_record(a.output, record);
  }
  if (tracker) tracker->stop();
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand(
      "predict",
      "Classify texts with a model directory: one text per line on stdin (or --input FILE), "
      "one JSON line out per input, in order: {\"labels\": [labels at or above their "
      "threshold], \"probabilities\": {top-k label: probability}}. Probabilities are a sigmoid "
      "per label for multi-label models (greenbert's, config.json problem_type "
      "multi_label_classification) and a softmax over the labels for single-label ones (as "
      "transformers decides from problem_type). An input with no text (an empty line) gets "
      "{\"labels\": [], ..., \"empty\": true} and a warning. Answers come as lines arrive, so "
      "it works in pipes and with tail -f.\n"
      "  One abstract:        echo 'We prove ...' | greenbert predict --model runs/m\n"
      "  Title and abstract:  greenbert predict --model runs/m --text title+abstract "
      "--input papers.jsonl   ({\"title\": ..., \"abstract\": ...} per line; an \"id\" "
      "leads the answer)\n"
      "  A large file, resumable, in 2 shards:  greenbert predict --model runs/m --input "
      "arxiv.jsonl --output part-0.jsonl --shard 0/2 [--resume]  (and 1/2), then "
      "greenbert merge-predictions --out all.jsonl part-0.jsonl part-1.jsonl");
  cmd->add_option("--model", args->model, "Model directory (a training run, or an HF classifier)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--input", args->input,
                  "Read inputs from FILE instead of stdin: .csv (the data's columns: "
                  "--text-column, and --title-column when present), .jsonl/.json ({\"text\"} or "
                  "{\"abstract\", \"title\"} per line), anything else one text per line")
      ->check(CLI::ExistingFile);
  cmd->add_option("--top-k", args->top_k, "How many of the most probable labels to show")
      ->capture_default_str();
  cmd->add_option("--threshold", args->threshold,
                  "Decision threshold for every label (default: the model's thresholds.json, "
                  "tuned on validation by train)");
  cmd->add_flag("--output-logits", args->output_logits,
                "Add the raw logits to each output line, and accept HF model input lines "
                "{\"input_ids\": [...], \"attention_mask\": [...], \"token_type_ids\": [...]} "
                "(to check parity with PyTorch)");
  cmd->add_option("--batch-size", args->batch_size, "Texts classified at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  add_input_encoding_options(*cmd, args->max_length, args->text);
  cmd->add_option("--title-column", args->title_column, "CSV column of the title")
      ->capture_default_str();
  cmd->add_option("--text-column", args->text_column, "CSV column of the text")
      ->capture_default_str();
  add_threads_option(*cmd, args->threads);
  add_precision_option(*cmd, args->precision);
  cmd->add_option("--output", args->output,
                  "Write the answers to FILE (in whole lines, about once a second, with progress "
                  "on stderr) instead of stdout; needs --input. FILE.predict.json records the "
                  "options, and whether FILE is complete, for --resume and merge-predictions");
  cmd->add_flag("--resume", args->resume,
                "Continue an interrupted --output: the inputs it answers already are passed over "
                "(the same command with --resume; other options are refused)");
  cmd->add_option("--shard", args->shard,
                  "K/N: classify only inputs K, K+N, K+2N, ... (0-based, in input order), so that "
                  "N processes split a large input; each line then starts with the input's "
                  "\"index\". `greenbert merge-predictions` puts the shards back in input order")
      ->capture_default_str();
  cmd->add_option("--emissions", args->emissions,
                  "Record the energy of the predictions in this emissions.csv (phase predict)");
  add_energy_options(*cmd, args->energy);
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
