// `greenbert eval`: the metrics of a model directory on a split of the data.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/data_options.h"
#include "cli/energy_options.h"
#include "cli/exit_codes.h"
#include "cli/precision_option.h"
#include "cli/run_config.h"
#include "cli/threads_option.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/progress.h"
#include "core/threads.h"
#include "data/split_directory.h"
#include "energy/energy_tracker.h"
#include "infer/classifier.h"
#include "report/eval_record.h"
#include "report/metrics.h"

namespace greenbert::cli {

namespace {

struct EvalArgs {
  std::string model;
  DataOptions data;
  std::string split = "test";
  std::optional<float> threshold;
  bool per_label = false;
  bool json = false;
  int64_t batch_size = 32;
  std::optional<int64_t> max_length;
  int threads = 0;
  std::optional<Precision> precision;
  std::string emissions;
  EnergyOptions energy;
};

// The examples of `examples` with labels renumbered to the model's; terms the model has no label
// for (the data's labels it lacks, and terms unseen in training) are counted in `missing`.
std::vector<Example> with_model_labels(const std::vector<Example>& examples, const LabelMap& data,
                                       const LabelMap& model,
                                       std::map<std::string, int64_t>& missing) {
  std::vector<Example> result;
  result.reserve(examples.size());
  for (const Example& e : examples) {
    Example mapped{e.title, e.abstract, {}, {}};
    auto add = [&](const std::string& name) {
      const int32_t id = model.find(name);
      if (id < 0)
        ++missing[name];
      else
        mapped.labels.push_back(id);
    };
    for (int32_t id : e.labels) add(data.name(id));
    for (const auto& term : e.unseen_terms) add(term);
    std::sort(mapped.labels.begin(), mapped.labels.end());
    result.push_back(std::move(mapped));
  }
  return result;
}

std::string model_name(const std::filesystem::path& dir) {
  const auto metrics = dir / "metrics.json";
  if (std::filesystem::exists(metrics)) {
    const auto json = read_json_file(metrics);
    if (json.is_object() && json.contains("model") && json["model"].is_object() &&
        json["model"].contains("name") && json["model"]["name"].is_string())
      return json["model"]["name"].get<std::string>();
  }
  return std::filesystem::absolute(dir).lexically_normal().filename().string();
}

void print_table(const MultiLabelMetrics& m, const std::vector<std::string>& names) {
  std::printf("micro-F1         %.4f\n", m.micro_f1);
  std::printf("macro-F1         %.4f\n", m.macro_f1);
  std::printf("micro precision  %.4f\n", m.micro_precision);
  std::printf("micro recall     %.4f\n", m.micro_recall);
  std::printf("accuracy         %.4f  (element-wise, the study's)\n", m.element_accuracy);
  std::printf("subset accuracy  %.4f\n", m.subset_accuracy);
  std::printf("Hamming loss     %.4f\n\n", m.hamming_loss);
  size_t width = 5;
  for (const auto& name : names) width = std::max(width, name.size());
  std::printf("%-*s  precision  recall      f1  support\n", static_cast<int>(width), "label");
  for (size_t l = 0; l < names.size(); ++l) {
    const LabelScores& s = m.per_label[l];
    std::printf("%-*s  %9.4f  %6.4f  %6.4f  %7lld\n", static_cast<int>(width), names[l].c_str(),
                s.precision, s.recall, s.f1, static_cast<long long>(s.support));
  }
}

void run(const CLI::App& command, EvalArgs& a) {
  if (a.threshold && a.per_label)
    usage_error("eval: give --threshold or --per-label-thresholds, not both");
  if (a.threshold && !(*a.threshold >= 0 && *a.threshold <= 1))
    usage_error("eval: --threshold must be in [0, 1]");
  set_thread_count(a.threads);
  const auto start = std::chrono::steady_clock::now();
  ModelDirectory model = ModelDirectory::open(a.model);
  const nlohmann::json& run_config = model.run_config;
  if (!run_config.is_null())
    data_options_from_run([&](const std::string& key) { return command.count("--" + key) > 0; },
                          run_config, (model.path / kRunConfigFile).string(), a.data);
  if (a.data.data.empty())
    usage_error("eval: --data is required (", a.model, " is not a training run with a ",
                kRunConfigFile, ")");
  const int64_t max_length_option = a.max_length.value_or(model.run_max_length);
  validate_energy_options(a.energy);
  if (a.emissions.empty() && ::access(a.model.c_str(), W_OK) != 0)
    fail(a.model,
         ": not writable, so this phase's energy cannot go to its emissions.csv: give "
         "--emissions FILE");
  const Classifier classifier =
      open_classifier(std::move(model), {a.batch_size, max_length_option, a.precision, a.threads});
  const int64_t max_length = classifier.max_length;
  const auto& names = classifier.config.labels;
  const auto labels = static_cast<int64_t>(names.size());
  const LoadOptions load = to_load_options(a.data);
  const bool all = a.split == "all";
  // --split all scores every paper of a data file as read (nothing de-duplicated or dropped),
  // and the three splits of a split directory.
  const bool whole_file = all && !std::filesystem::is_directory(a.data.data);
  Dataset dataset;
  if (whole_file) {
    dataset.labels = LabelMap(names);
    dataset.text = load.prepare.text;
    for (Paper& paper : read_papers(a.data.data, load.read))
      dataset.test.push_back(make_example(paper, dataset.labels));
  } else {
    dataset = load_dataset(a.data.data, load);
    if (all) {
      for (auto* part : {&dataset.train, &dataset.val})
        dataset.test.insert(dataset.test.end(), part->begin(), part->end());
    }
  }
  const TextInput text = dataset.text;
  const auto& split = a.split == "train" ? dataset.train
                      : a.split == "val" ? dataset.val
                                         : dataset.test;
  if (split.empty()) fail("eval: the ", a.split, " split of ", a.data.data, " is empty");
  std::map<std::string, int64_t> missing;
  const auto examples = with_model_labels(split, dataset.labels, LabelMap(names), missing);
  int64_t missed = 0;
  if (!missing.empty()) {
    std::string list;
    for (const auto& [name, count] : missing) {
      list += cat(list.empty() ? "" : ", ", name, " (", count, ")");
      missed += count;
    }
    std::fprintf(stderr,
                 "greenbert: warning: %zu label%s of the %s split the model cannot predict: %s; "
                 "%s\n",
                 missing.size(), missing.size() == 1 ? "" : "s", a.split.c_str(), list.c_str(),
                 all ? cat(missed, " misses in the micro averages").c_str()
                     : "they are not among the targets");
  }

  std::vector<float> thresholds;
  std::string threshold_note;
  if (a.threshold) {
    thresholds = {*a.threshold};
    threshold_note = "given";
  } else if (a.per_label) {
    if (classifier.thresholds.per_label.empty())
      fail(a.model, ": thresholds.json has no per-label thresholds");
    thresholds = classifier.thresholds.per_label;
    threshold_note = "per label, from thresholds.json";
  } else {
    const auto effective = classifier.thresholds.effective();
    thresholds.assign(effective.begin(), effective.end());
    threshold_note = classifier.thresholds.use_per_label ? "per label, from thresholds.json"
                                                         : "from thresholds.json";
  }

  const std::filesystem::path emissions = a.emissions.empty()
                                              ? std::filesystem::path(a.model) / "emissions.csv"
                                              : std::filesystem::path(a.emissions);
  EnergyTracker tracker("eval", emissions, a.energy, "greenbert", "eval-" + a.split);
  const EncodedExamples encoded =
      encode_examples(classifier.tokenizer, examples, text, static_cast<size_t>(max_length));
  Progress progress("eval", encoded.size(), "sequences");
  const auto logits = predict_logits(classifier.logits, labels, a.batch_size, encoded,
                                     [&](int64_t done) { progress.update(done); });
  tracker.add_work(encoded.size(), encoded.tokens());
  const std::vector<float> probabilities = probabilities_of(logits, labels, classifier.activation);
  const std::vector<uint8_t> targets = target_matrix(encoded, labels);
  auto metrics = compute_metrics(probabilities, targets, labels, thresholds);
  if (all) count_missed_labels(metrics, missed);
  const EmissionsRecord energy = tracker.stop();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (a.json) {
    EvalRecord record;
    record.model = summarize_model(model_name(a.model), classifier.config, classifier.parameters,
                                   classifier.precision, classifier.kind);
    record.split = a.split;
    record.labels = names;
    record.thresholds = thresholds;
    record.metrics = metrics;
    record.seconds = seconds;
    record.data_path = recorded_path(a.data.data);
    record.examples = encoded.size();
    record.max_length = max_length;
    record.text = text_input_name(text);
    record.labels_not_in_model = missing;
    record.papers = paper_predictions(probabilities, targets, labels, thresholds);
    record.kwh = energy.energy_consumed;
    record.kg_co2eq = energy.emissions;
    record.energy_method = tracker.details().method;
    record.emissions_csv = emissions.string();
    const nlohmann::ordered_json out = to_json(record);
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("eval: %s on the %s split of %s: %lld examples, %lld labels, threshold %s (%s)\n\n",
              a.model.c_str(), a.split.c_str(), a.data.data.c_str(),
              static_cast<long long>(encoded.size()), static_cast<long long>(labels),
              thresholds.size() == 1 ? cat(thresholds[0]).c_str() : "per label",
              threshold_note.c_str());
  print_table(metrics, names);
  std::printf(
      "\n%.1f s, %s\n", seconds,
      format_energy({tracker.setup().method, energy.duration, energy.energy_consumed * 3.6e6,
                     energy.energy_consumed, energy.emissions})
          .c_str());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Evaluate a model directory on a split of the data: micro-F1 (the headline), macro-F1, "
      "micro precision/recall, the study's element-wise accuracy, subset accuracy, Hamming loss "
      "and per-label precision/recall/F1/support. For a training run, the data, split and seed "
      "default to the run's, so --split test is the run's own test split");
  cmd->add_option("--model", args->model, "Model directory (a training run, or an HF classifier)")
      ->required()
      ->check(CLI::ExistingDirectory);
  add_data_options(*cmd, args->data, /*required=*/false);
  cmd->get_option("--split-ratios")
      ->description(
          "Train, validation and test ratios of a data file, stratified by label-set (default: "
          "the training run's)");
  cmd->add_option("--split", args->split,
                  "Which split to evaluate; all: every paper of --data as read (nothing "
                  "de-duplicated or dropped), labels the model does not know counted as misses")
      ->check(CLI::IsMember({"test", "val", "train", "all"}))
      ->capture_default_str();
  cmd->add_option("--threshold", args->threshold,
                  "Decision threshold for every label (default: the model's thresholds.json)");
  cmd->add_flag("--per-label-thresholds", args->per_label,
                "Use the per-label thresholds of thresholds.json (tuned on validation)");
  cmd->add_flag("--json", args->json, "Print JSON (format greenbert-eval) instead of tables");
  cmd->add_option("--batch-size", args->batch_size, "Sequences per inference batch")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option(
         "--max-length", args->max_length,
         "Truncate texts to this many tokens (default: the training run's, else the model's "
         "positions, at most 512)")
      ->check(CLI::Range(3, 1 << 20));
  add_threads_option(*cmd, args->threads);
  add_precision_option(*cmd, args->precision);
  cmd->add_option("--emissions", args->emissions,
                  "emissions.csv to append this phase's energy to (default: MODEL/emissions.csv)");
  add_energy_options(*cmd, args->energy);
  cmd->callback([cmd, args] { run(*cmd, *args); });
}

}  // namespace greenbert::cli
