// `greenbert predict`: classifies texts with a model directory, one JSON line per input.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
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
#include "core/error.h"
#include "core/threads.h"
#include "data/predict_reader.h"
#include "energy/energy_tracker.h"
#include "infer/classifier.h"
#include "infer/label_decisions.h"

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
};

// The answer to an input with no text.
constexpr std::string_view kEmptyPrediction = R"({"labels":[],"probabilities":{},"empty":true})"
                                              "\n";

// One output line: labels at or above their threshold, the top-k probabilities, and the raw
// logits when asked.
std::string format_prediction(const Classifier& c, std::span<const float> logits,
                              std::span<const float> probabilities,
                              std::span<const float> thresholds, int64_t top_k, bool with_logits) {
  const auto& names = c.config.labels;
  nlohmann::ordered_json out;
  out["labels"] = nlohmann::ordered_json::array();
  for (int64_t l : labels_at_threshold(probabilities, thresholds))
    out["labels"].push_back(names[static_cast<size_t>(l)]);
  out["probabilities"] = nlohmann::ordered_json::object();
  for (int64_t l : most_probable_labels(probabilities, top_k))
    out["probabilities"][names[static_cast<size_t>(l)]] = probabilities[static_cast<size_t>(l)];
  if (with_logits) out["logits"] = std::vector<float>(logits.begin(), logits.end());
  return out.dump() + "\n";
}

void run(PredictArgs& a) {
  // std::cin with a buffer of its own, so a batch can tell the lines already read from those
  // yet to come (in_avail); nothing has read stdin before this.
  std::ios::sync_with_stdio(false);
  if (a.top_k < 0) usage_error("predict: --top-k must be >= 0");
  if (a.threshold && !(*a.threshold >= 0 && *a.threshold <= 1))
    usage_error("predict: --threshold must be in [0, 1]");
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

  // Output lines stay aligned with inputs: one with no text (an empty line or field, only
  // spaces) is answered with an empty prediction and a warning naming it.
  std::vector<PredictInput> inputs;
  PredictInput input;
  bool more = true;
  while (more) {
    inputs.clear();
    do {
      if (!(more = reader.next(input))) break;
      inputs.push_back(std::move(input));
    } while (inputs.size() < static_cast<size_t>(a.batch_size) && input_waiting());
    if (inputs.empty()) break;
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
    for (const std::string& problem : encoded.problems) {
      if (!problem.empty()) {
        out += kEmptyPrediction;
        continue;
      }
      out += format_prediction(
          classifier, std::span<const float>(logits).subspan(at, static_cast<size_t>(labels)),
          std::span<const float>(probabilities).subspan(at, static_cast<size_t>(labels)),
          thresholds, a.top_k, a.output_logits);
      at += static_cast<size_t>(labels);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
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
      "--input papers.jsonl   ({\"title\": ..., \"abstract\": ...} per line)");
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
  cmd->add_option("--emissions", args->emissions,
                  "Record the energy of the predictions in this emissions.csv (phase predict)");
  add_energy_options(*cmd, args->energy);
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
