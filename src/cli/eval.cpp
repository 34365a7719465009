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
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/progress.h"
#include "core/threads.h"
#include "data/split_directory.h"
#include "energy/energy_tracker.h"
#include "train/inference.h"
#include "train/metrics.h"
#include "train/run_summary.h"

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
  std::optional<InferencePrecision> precision;
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

// {"true": [[ids]...], "predicted": [[ids]...]}, papers in split order, label ids the model's.
nlohmann::ordered_json paper_labels(const EncodedExamples& encoded,
                                    std::span<const float> probabilities, int64_t labels,
                                    std::span<const float> thresholds) {
  nlohmann::ordered_json truth = nlohmann::ordered_json::array(),
                         predicted = nlohmann::ordered_json::array();
  for (int64_t e = 0; e < encoded.size(); ++e) {
    const auto ids = encoded.example_labels(e);
    truth.push_back(std::vector<int32_t>(ids.begin(), ids.end()));
    std::vector<int32_t> chosen;
    for (int64_t l = 0; l < labels; ++l) {
      const float t = thresholds.size() == 1 ? thresholds[0] : thresholds[size_t(l)];
      if (probabilities[size_t(e * labels + l)] >= t) chosen.push_back(static_cast<int32_t>(l));
    }
    predicted.push_back(chosen);
  }
  return {{"true", truth}, {"predicted", predicted}};
}

void run(const CLI::App& command, EvalArgs& a) {
  if (a.threshold && a.per_label)
    usage_error("eval: give --threshold or --per-label-thresholds, not both");
  if (a.threshold && !(*a.threshold >= 0 && *a.threshold <= 1))
    usage_error("eval: --threshold must be in [0, 1]");
  const auto run_config = load_run_config(a.model);
  if (run_config)
    data_options_from_run([&](const std::string& key) { return command.count("--" + key) > 0; },
                          *run_config, a.data);
  if (a.data.data.empty())
    usage_error("eval: --data is required (", a.model, " is not a training run with a ",
                kRunConfigFile, ")");
  const int64_t max_length_option =
      a.max_length.value_or(run_config ? run_config->value("max-length", int64_t{0}) : 0);
  validate_energy_options(a.energy);
  if (a.emissions.empty() && ::access(a.model.c_str(), W_OK) != 0)
    fail(a.model,
         ": not writable, so this phase's energy cannot go to its emissions.csv: give "
         "--emissions FILE");
  set_thread_count(a.threads);

  const auto start = std::chrono::steady_clock::now();
  const Classifier classifier =
      open_classifier(a.model, {a.batch_size, max_length_option, a.precision, a.threads});
  const int64_t max_length = classifier.max_length;
  const auto& names = classifier.config.labels;
  const auto labels = static_cast<int64_t>(names.size());
  const Dataset dataset = load_dataset(a.data.data, to_load_options(a.data));
  const auto& split = a.split == "train" ? dataset.train
                      : a.split == "val" ? dataset.val
                                         : dataset.test;
  if (split.empty()) fail("eval: the ", a.split, " split of ", a.data.data, " is empty");
  std::map<std::string, int64_t> missing;
  const auto examples = with_model_labels(split, dataset.labels, LabelMap(names), missing);
  if (!missing.empty()) {
    std::string list;
    for (const auto& [name, count] : missing)
      list += cat(list.empty() ? "" : ", ", name, " (", count, ")");
    std::fprintf(stderr,
                 "greenbert: warning: %zu label%s of the %s split the model cannot predict: %s; "
                 "they are not among the targets\n",
                 missing.size(), missing.size() == 1 ? "" : "s", a.split.c_str(), list.c_str());
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
  const EncodedExamples encoded = encode_examples(classifier.tokenizer, examples, dataset.text,
                                                  static_cast<size_t>(max_length));
  Progress progress("eval", encoded.size(), "sequences");
  const auto logits = predict_logits(classifier.logits, labels, a.batch_size, encoded,
                                     [&](int64_t done) { progress.update(done); });
  tracker.add_work(encoded.size(), encoded.tokens());
  const std::vector<float> probabilities = probabilities_of(logits);
  const auto metrics =
      compute_metrics(probabilities, target_matrix(encoded, labels), labels, thresholds);
  const EmissionsRecord energy = tracker.stop();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (a.json) {
    nlohmann::ordered_json out;
    out["format"] = "greenbert-eval";
    // 2: "papers", every paper's true and predicted label ids (for bootstrap intervals and the
    // label-prior check of the report); otherwise as 1.
    out["version"] = 2;
    out["model"] = model_json(model_name(a.model), classifier.config, classifier.parameters,
                              classifier.precision);
    if (!classifier.model_type.empty()) out["model"]["model_type"] = classifier.model_type;
    out["split"] = a.split;
    if (thresholds.size() == 1) {
      out["threshold"] = thresholds[0];
    } else {
      out["threshold"] = "per_label";
      auto& per_label = out["per_label_thresholds"] = nlohmann::ordered_json::object();
      for (size_t l = 0; l < names.size(); ++l) per_label[names[l]] = thresholds[l];
    }
    out["metrics"] = to_json(metrics, names);
    out["seconds"] = seconds;
    out["data"] = {{"path", std::filesystem::absolute(a.data.data).lexically_normal().string()},
                   {"examples", encoded.size()},
                   {"max_length", max_length},
                   {"text", text_input_name(dataset.text)}};
    out["labels_not_in_model"] = missing;
    out["papers"] = paper_labels(encoded, probabilities, labels, thresholds);
    out["energy"] = {{"kwh", energy.energy_consumed},
                     {"kg_co2eq", energy.emissions},
                     {"method", tracker.details().method},
                     {"emissions_csv", emissions.string()}};
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
  cmd->add_option("--split", args->split, "Which split to evaluate")
      ->check(CLI::IsMember({"test", "val", "train"}))
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
  cmd->add_option("--threads", args->threads, "Threads (0: the physical cores)")
      ->capture_default_str();
  add_precision_option(*cmd, args->precision);
  cmd->add_option("--emissions", args->emissions,
                  "emissions.csv to append this phase's energy to (default: MODEL/emissions.csv)");
  add_energy_options(*cmd, args->energy);
  cmd->callback([cmd, args] { run(*cmd, *args); });
}

}  // namespace greenbert::cli
