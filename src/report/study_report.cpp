#include "report/study_report.h"

#include <cstdio>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/child_process.h"
#include "core/error.h"
#include "core/json_fields.h"
#include "core/local_time.h"
#include "core/number_format.h"
#include "core/progress.h"
#include "report/document.h"
#include "report/study_figures.h"
#include "report/study_plots.h"
#include "report/study_results.h"
#include "study/study_layout.h"
#include "study/study_plan.h"

namespace greenbert {
namespace {

namespace layout = study_layout;

const std::string kNone = "—";
const std::string kOnFrontier = "✓";

std::string general(const std::optional<double>& value) {
  return value ? greenbert::general(*value) : kNone;
}

std::string fixed(const std::optional<double>& value, int decimals) {
  return value ? greenbert::fixed(*value, decimals) : kNone;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += cat(out.empty() ? "" : separator, item);
  return out;
}

nlohmann::ordered_json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json();
}

// [low, high] of a bootstrap 95 % interval, null when eval listed no papers.
nlohmann::ordered_json interval_json(const std::optional<PredictionSummary>& p,
                                     Interval PredictionSummary::*which) {
  if (!p) return nullptr;
  return {((*p).*which).low, ((*p).*which).high};
}

nlohmann::ordered_json study_json(const StudyResults& results, const StudyFigures& figures) {
  nlohmann::ordered_json configs = nlohmann::ordered_json::array();
  for (size_t i = 0; i < figures.configs.size(); ++i) {
    const ConfigFigures& f = figures.configs[i];
    const ConfigResult& r = results.configs[i];
    nlohmann::ordered_json bench = nlohmann::ordered_json();
    if (r.bench)
      for (const BenchPoint& p : *results.bench[*r.bench].backend("cpp"))
        bench.push_back(to_json(p));
    configs.push_back({
        {"model", f.model},
        {"precision", precision_name(f.precision)},
        {"micro_f1", optional_json(f.micro_f1)},
        {"macro_f1", optional_json(f.macro_f1)},
        {"micro_f1_interval", interval_json(f.predictions, &PredictionSummary::micro_f1)},
        {"macro_f1_interval", interval_json(f.predictions, &PredictionSummary::macro_f1)},
        {"learned_only_label_priors", f.priors_only()},
        {"pareto_optimal", figures.pareto_optimal(i)},
        {"threshold", optional_json(r.threshold)},
        {"training",
         {{"kwh", optional_json(f.training_kwh)}, {"kg_co2eq", optional_json(f.training_kg)}}},
        {"quantization",
         {{"kwh", optional_json(f.quantization_kwh)},
          {"kg_co2eq", optional_json(f.quantization_kg)}}},
        {"inference",
         {{"batch_size", figures.reference_batch},
          {"joules_per_1000_predictions", optional_json(f.inference_j_per_1000)},
          {"kg_co2eq_per_1000_predictions", optional_json(f.inference_kg_per_1000)}}},
        {"lifetime",
         {{"predictions", figures.lifetime_predictions},
          {"kwh", optional_json(f.lifetime_kwh)},
          {"kg_co2eq", optional_json(f.lifetime_kg)}}},
        {"micro_f1_per_kwh", optional_json(f.f1_per_kwh)},
        {"micro_f1_per_kg_co2eq", optional_json(f.f1_per_kg)},
        {"latency_b1_ms", optional_json(f.latency_b1_ms)},
        {"seconds_for_abstracts", optional_json(f.abstracts_seconds)},
        {"abstracts", figures.abstracts},
        {"peak_memory_mb", optional_json(f.peak_memory_mb)},
        {"model_size_mb", optional_json(f.model_size_mb)},
        {"energy_sources", f.energy_sources},
        {"bench", bench},
    });
  }
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (const auto& m : results.models) {
    nlohmann::ordered_json model = {{"name", m.model.name}};
    if (!m.model.preset.empty()) model["preset"] = m.model.preset;
    if (!m.model.init.empty()) model["init"] = m.model.init;
    if (m.metrics) {
      for (const char* key : {"model", "training", "threshold", "test_threshold_0.5"})
        if (m.metrics->contains(key)) model[key] = m.metrics->at(key);
    }
    models.push_back(model);
  }
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const auto& s : results.energy_sources)
    sources.push_back({{"id", s.id}, {"method", s.method}, {"description", s.description}});
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  for (const auto& s : results.stages) {
    nlohmann::ordered_json stage = {{"id", s.record.id},
                                    {"status", stage_status_name(s.record.status)},
                                    {"attempts", s.record.attempts},
                                    {"seconds", s.record.seconds},
                                    {"failure", s.record.failure}};
    if (s.energy) {
      stage["kwh"] = s.energy->kwh;
      stage["kg_co2eq"] = s.energy->kg_co2eq;
      stage["energy_sources"] = s.energy->sources;
    }
    stages.push_back(stage);
  }
  nlohmann::ordered_json frontier = nlohmann::ordered_json::array();
  for (size_t i : figures.pareto_frontier) frontier.push_back(figures.configs[i].label());
  const Recommendation& rec = figures.recommendation;
  auto label = [&](const std::optional<size_t>& i) {
    return i ? nlohmann::ordered_json(figures.configs[*i].label()) : nlohmann::ordered_json();
  };
  return {{"format", "greenbert-study"},
          {"version", 1},
          {"greenbert_version", GREENBERT_VERSION},
          {"generated", local_time_text("%Y-%m-%d %H:%M:%S")},
          {"settings", to_json(results.state.settings)},
          {"hardware", results.state.hardware},
          {"data", results.data ? nlohmann::ordered_json(*results.data) : nlohmann::ordered_json()},
          {"reference_batch_size", figures.reference_batch},
          {"lifetime_predictions", figures.lifetime_predictions},
          {"energy_sources", sources},
          {"configurations", configs},
          {"pareto_frontier", frontier},
          {"models", models},
          {"recommendation",
           {{"most_accurate", label(rec.most_accurate)},
            {"most_efficient", label(rec.most_efficient)},
            {"training_saving_percent", optional_json(rec.training_saving_percent)},
            {"inference_saving_percent", optional_json(rec.inference_saving_percent)},
            {"f1_drop_points", optional_json(rec.f1_drop_points)},
            {"text", joined(rec.sentences, " ")}}},
          {"stages", stages}};
}

// The table's Pareto column: on the frontier, off it, or not placed for want of a figure.
std::string pareto_mark(const StudyFigures& figures, size_t config) {
  const ConfigFigures& c = figures.configs[config];
  if (figures.pareto_optimal(config)) return kOnFrontier;
  return c.micro_f1 && c.lifetime_kwh ? "" : kNone;
}

Table results_table(const StudyFigures& figures) {
  const std::string b = cat("b", figures.reference_batch);
  Table table;
  table.header = {"Model",
                  "Precision",
                  "micro-F1",
                  "macro-F1",
                  "Training kg CO2eq",
                  "Training kWh",
                  cat("Inference J / 1,000 predictions (", b, ")"),
                  "Lifetime kWh",
                  "micro-F1 per kWh",
                  "Pareto",
                  "Latency b1 (ms)",
                  cat(figures.abstracts, " abstracts at ", b, " (s)"),
                  "Peak memory (MB)",
                  "Model size (MB)",
                  "Energy sources"};
  table.numeric = {false, false, true, true, true, true, true, true,
                   true,  false, true, true, true, true, false};
  for (size_t i = 0; i < figures.configs.size(); ++i) {
    const ConfigFigures& c = figures.configs[i];
    table.rows.push_back({c.model, precision_name(c.precision), fixed(c.micro_f1, 3),
                          fixed(c.macro_f1, 3), general(c.training_kg), general(c.training_kwh),
                          general(c.inference_j_per_1000), general(c.lifetime_kwh),
                          general(c.f1_per_kwh), pareto_mark(figures, i), general(c.latency_b1_ms),
                          general(c.abstracts_seconds), fixed(c.peak_memory_mb, 1),
                          fixed(c.model_size_mb, 1), joined(c.energy_sources, ", ")});
  }
  return table;
}

// Baseline backends next to greenbert's own figure for the same model, precision and batch.
std::optional<Table> baselines_table(const StudyResults& results) {
  Table table;
  table.header = {"Model",
                  "Precision",
                  "Backend",
                  "Batch",
                  "Time (s)",
                  "greenbert (s)",
                  "greenbert speed-up",
                  "Peak memory (MB)",
                  "Energy / 1,000 (J)"};
  table.numeric = {false, false, false, true, true, true, true, true, true};
  for (const auto& record : results.bench) {
    for (const auto& [backend, points] : record.backends) {
      if (backend == "cpp") continue;
      const std::vector<BenchPoint>* ours = nullptr;
      for (const auto& other : results.bench)
        if (other.model == record.model && other.precision == record.precision &&
            other.backend("cpp"))
          ours = other.backend("cpp");
      for (const auto& p : points) {
        const BenchPoint* mine = ours ? point_at(*ours, p.batch_size) : nullptr;
        std::optional<double> speedup;
        if (mine && mine->inference_time > 0) speedup = p.inference_time / mine->inference_time;
        table.rows.push_back({record.model, precision_name(record.precision), backend,
                              cat(p.batch_size), general(p.inference_time),
                              mine ? general(mine->inference_time) : kNone,
                              speedup ? cat(fixed(speedup, 2), "x") : kNone, fixed(p.memory_mb, 1),
                              general(p.energy_per_1000_j)});
      }
    }
  }
  if (table.rows.empty()) return std::nullopt;
  return table;
}

Table stages_table(const StudyResults& results) {
  Table table;
  table.header = {"Stage", "Status",   "Attempts",       "Wall time",
                  "kWh",   "kg CO2eq", "Energy sources", "Note"};
  table.numeric = {false, false, true, true, true, true, false, false};
  for (const auto& s : results.stages) {
    const auto& r = s.record;
    // Most stages but training take seconds: hh:mm:ss would show them all as 00:00:00.
    const std::string wall = r.seconds <= 0   ? kNone
                             : r.seconds < 60 ? cat(fixed(r.seconds, 1), " s")
                                              : format_duration(r.seconds);
    const bool this_report = r.kind == "report" && r.status == StageStatus::running;
    table.rows.push_back({r.id, std::string(stage_status_name(r.status)), cat(r.attempts), wall,
                          s.energy ? general(s.energy->kwh) : kNone,
                          s.energy ? general(s.energy->kg_co2eq) : kNone,
                          s.energy ? joined(s.energy->sources, ", ") : kNone,
                          this_report ? "writing this report" : r.failure});
  }
  return table;
}

KeyValues settings_list(const StudyResults& results, const StudyFigures& figures) {
  const StudySettings& s = results.state.settings;
  const auto& hw = results.state.hardware;
  std::vector<std::string> models;
  for (const auto& m : results.models) {
    std::string text =
        m.model.name + (m.model.pretrained ? cat(" (preset, pre-trained for ", s.pretrain_epochs,
                                                 s.pretrain_epochs == 1 ? " epoch" : " epochs",
                                                 " on the training split, then fine-tuned)")
                        : m.model.preset.empty() ? cat(" (fine-tuned from ", m.model.init, ")")
                                                 : " (preset, trained from scratch)");
    if (m.metrics && m.metrics->contains("model") && m.metrics->at("model").contains("parameters"))
      text += cat(", ",
                  json_integer<int64_t>(m.metrics->at("model").at("parameters"),
                                        m.model.name + "'s metrics.json: model.parameters"),
                  " parameters");
    models.push_back(text);
  }
  KeyValues list;
  list.items.push_back(
      {"Data", cat(s.data, s.max_rows > 0 ? cat(" (first ", s.max_rows, " rows)") : "",
                   ", split seed ", s.seed)});
  if (results.data) {
    const auto& d = *results.data;
    list.items.push_back(
        {"Split", cat(d.value("train", 0), " train, ", d.value("val", 0), " validation, ",
                      d.value("test", 0), " test examples, ", d.value("labels", 0), " labels")});
  }
  list.items.push_back({"Models", joined(models, "; ")});
  list.items.push_back({"Epochs", s.epochs ? cat(*s.epochs) : "train's default"});
  list.items.push_back(
      {"Vocabulary (presets)",
       s.vocab.empty() ? cat("WordPiece, ", s.vocab_size, " tokens, trained on the training split")
                       : s.vocab});
  list.items.push_back({"Threads", cat(s.threads)});
  std::vector<std::string> precisions;
  for (Precision p : s.precisions) precisions.push_back(precision_name(p));
  list.items.push_back({"Precisions", joined(precisions, ", ")});
  std::vector<std::string> batches;
  for (int b : s.batch_sizes) batches.push_back(cat(b));
  list.items.push_back({"Benchmark batch sizes", joined(batches, ", ")});
  list.items.push_back({"Lifetime for efficiency",
                        cat(with_thousands(figures.lifetime_predictions), " predictions")});
  list.items.push_back(
      {"Energy options", s.energy_args.empty() ? "defaults" : shell_command_line(s.energy_args)});
  list.items.push_back({"CPU", cat(hw.value("cpu", "unknown"), ", ", hw.value("physical_cores", 0),
                                   " physical cores, ", hw.value("logical_cpus", 0),
                                   " logical CPUs, ISA ", hw.value("isa", "unknown"))});
  list.items.push_back({"Memory", cat(fixed(hw.value("ram_gb", 0.0), 1), " GB")});
  list.items.push_back({"OS", hw.value("os", "unknown")});
  return list;
}

Document build_document(const StudyResults& results, const StudyFigures& figures,
                        const StudyPlots& plots) {
  Document doc;
  doc.title = "greenbert study: accuracy against energy";
  auto& b = doc.blocks;
  b.push_back(Paragraph{cat("Generated on ", local_time_text("%Y-%m-%d %H:%M:%S"), " by greenbert ",
                            GREENBERT_VERSION, " from the study in ", results.dir.string(), ".")});
  b.push_back(Heading{2, "Recommendation"});
  for (const auto& sentence : figures.recommendation.sentences) b.push_back(Paragraph{sentence});

  b.push_back(Heading{2, "Results"});
  b.push_back(Paragraph{cat(
      "One row per model and precision. F1 is measured on the test split at the threshold tuned "
      "on validation. Training figures are the whole greenbert train stage (training, "
      "per-epoch validation and the final test evaluation, every attempt when it was resumed), "
      "recorded by the study around the stage's process (a stage also meters its own phases "
      "into its directory's emissions.csv; those are part of this record, never added to it); "
      "quantized models share their fp32 model's training, and a -pretrained model's training "
      "includes its pre-training stage. Inference energy, latency, time, memory "
      "and size come from greenbert "
      "bench (peak memory: the highest over batch sizes, each configuration in its own "
      "process). Lifetime kWh = training + quantization + ",
      with_thousands(figures.lifetime_predictions), " predictions at batch size ",
      figures.reference_batch, "; micro-F1 per kWh divides by it. Pareto: ", kOnFrontier,
      " on the Pareto frontier of lifetime kWh against micro-F1 (see Recommendation). Energy "
      "sources name how each row's energy figures were obtained (next section). ",
      kNone, ": not measured (see Stages).")});
  b.push_back(results_table(figures));

  b.push_back(Heading{2, "How the energy figures were obtained"});
  if (results.energy_sources.empty()) {
    b.push_back(Paragraph{"No energy was recorded."});
  } else {
    bool estimated = false;
    KeyValues list;
    for (const auto& s : results.energy_sources) {
      list.items.push_back({s.id, s.description});
      estimated = estimated || s.method != "rapl";
    }
    b.push_back(list);
    if (estimated)
      b.push_back(Paragraph{
          "Figures from a source that is not measured with RAPL counters are estimates from a "
          "power model (CodeCarbon's method); compare them with each other, not with a "
          "wattmeter."});
  }

  if (auto table = baselines_table(results)) {
    b.push_back(Heading{2, "Baselines"});
    b.push_back(Paragraph{
        "Other runtimes on the same machine, shapes and threads, as recorded in bench.json; "
        "speed-up = their time / greenbert's time for the same model, precision and batch size."});
    b.push_back(*table);
  }

  b.push_back(Heading{2, "Plots"});
  for (const auto& figure : plots.figures) b.push_back(figure);
  for (const auto& skipped : plots.skipped)
    b.push_back(Paragraph{cat("Not drawn: ", skipped, ".")});

  b.push_back(Heading{2, "Stages"});
  b.push_back(Paragraph{
      "Every stage ran as its own process; energy is the study's record of that process."});
  b.push_back(stages_table(results));

  b.push_back(Heading{2, "Settings and hardware"});
  b.push_back(settings_list(results, figures));

  b.push_back(Heading{2, "Reproduce"});
  b.push_back(Paragraph{cat("The stages' commands, run in ", results.dir.string(),
                            " (greenbert study runs them all and skips what is done):")});
  Code code;
  for (const Stage& stage : plan_study(results.state.settings)) {
    std::vector<std::string> argv{"greenbert"};
    argv.insert(argv.end(), stage.args.begin(), stage.args.end());
    code.lines.push_back(shell_command_line(argv) +
                         (stage.stdout_file.empty() ? "" : " > " + stage.stdout_file));
  }
  b.push_back(code);
  return doc;
}

}  // namespace

ReportSummary write_study_report(const std::filesystem::path& dir, const ReportOptions& options) {
  const StudyResults results = collect_study(dir);
  const StudyFigures figures = compute_figures(
      results, options.lifetime_predictions.value_or(results.state.settings.lifetime_predictions));
  ReportSummary summary;
  auto write = [&](const char* name, const std::string& text) {
    write_file_atomically(dir / name, text);
    summary.files.push_back(dir / name);
  };
  nlohmann::ordered_json bench = nlohmann::ordered_json::array();
  for (const auto& record : results.bench) bench.push_back(to_json(record));
  write(layout::kBenchJson, bench.dump(2) + "\n");
  write(layout::kStudyJson, study_json(results, figures).dump(2) + "\n");

  const StudyPlots plots = draw_study_plots(results, figures, options.plots);
  for (const auto& figure : plots.figures) {
    summary.files.push_back(dir / figure.png);
    summary.files.push_back(dir / figure.svg);
  }
  const Document document = build_document(results, figures, plots);
  write(layout::kReportMd, to_markdown(document));
  write(layout::kReportHtml, to_html(document, dir));
  summary.recommendation = figures.recommendation.sentences;
  summary.skipped_plots = plots.skipped;
  return summary;
}

}  // namespace greenbert
