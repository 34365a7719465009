#include "report/study_results.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "data/csv_reader.h"
#include "energy/emissions_details.h"
#include "report/eval_record.h"
#include "study/study_layout.h"

namespace greenbert {
namespace {

namespace layout = study_layout;

nlohmann::json read_json(const std::filesystem::path& file) {
  return read_json_file(file);
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += cat(out.empty() ? "" : separator, item);
  return out;
}

std::string describe_source(const PhaseDetails& d) {
  std::string text;
  if (d.method == "estimated") {
    text = cat("estimated, not measured (",
               d.not_used.empty() ? "no energy counter was available" : joined(d.not_used, "; "),
               "). CPU: ", d.cpu_detail);
    if (d.assumed_tdp_watts)
      text += cat(", assumed TDP ", *d.assumed_tdp_watts, " W (", d.tdp_source, ")");
  } else {
    text = cat("measured (", d.method, "). CPU: ", d.cpu_detail);
  }
  text += cat(". RAM: ", d.ram_detail, ". Carbon intensity ", d.carbon_intensity_g_per_kwh,
              " g CO2eq/kWh (", d.carbon_intensity_source, "), PUE ", d.pue, ".");
  return text;
}

class SourceTable {
 public:
  explicit SourceTable(std::vector<EnergySource>& sources) : sources_(sources) {}
  std::string id_for(const std::string& method, const std::string& description) {
    for (const auto& s : sources_)
      if (s.description == description) return s.id;
    sources_.push_back({cat("E", sources_.size() + 1), method, description});
    return sources_.back().id;
  }

 private:
  std::vector<EnergySource>& sources_;
};

void add_unique(std::vector<std::string>& list, const std::string& value) {
  for (const auto& v : list)
    if (v == value) return;
  list.push_back(value);
}

void read_eval(ConfigResult& config, const std::filesystem::path& file) {
  const EvalFigures figures = read_eval_figures(file);
  config.micro_f1 = figures.micro_f1;
  config.macro_f1 = figures.macro_f1;
  config.threshold = figures.threshold;
  if (figures.papers) config.predictions = summarize_predictions(*figures.papers, figures.labels);
}

void read_logs(ModelResult& model, const std::filesystem::path& run_dir) {
  if (auto train = run_dir / "train_log.csv"; std::filesystem::exists(train)) {
    auto columns = read_numeric_columns(train, {"step", "loss"});
    model.train_step = std::move(columns[0]);
    model.train_loss = std::move(columns[1]);
  }
  if (auto val = run_dir / "val_log.csv"; std::filesystem::exists(val)) {
    auto columns = read_numeric_columns(val, {"step", "val_loss"});
    model.val_step = std::move(columns[0]);
    model.val_loss = std::move(columns[1]);
  }
}

// Bench states only its method; it ran with the study's energy options.
std::string bench_source(SourceTable& sources, const std::vector<BenchPoint>& points) {
  std::string method;
  for (const auto& p : points)
    if (!p.energy_method.empty()) method = p.energy_method;
  if (method.empty())
    return sources.id_for("unknown", "greenbert bench did not say how its energy was obtained");
  return sources.id_for(
      method, cat("greenbert bench's own tracker around the timed runs, which reports its method "
                  "as '",
                  method, "' (run with the study's energy options)"));
}

bool done(const StudyResults& results, const std::string& id) {
  const StageResult* s = results.stage(id);
  return s != nullptr && s->record.status == StageStatus::done;
}

}  // namespace

const StageResult* StudyResults::stage(const std::string& id) const {
  for (const auto& s : stages)
    if (s.record.id == id) return &s;
  return nullptr;
}

const StageResult* StudyResults::stage(const std::string& model, const std::string& kind,
                                       Precision precision) const {
  return stage(
      cat(model, "/", kind, "-", study_layout::precision_dir(precision, state.settings.layout)));
}

std::vector<std::vector<double>> read_numeric_columns(const std::filesystem::path& csv,
                                                      const std::vector<std::string>& columns) {
  // The logs are appended to while a run trains: a torn last row is no row.
  std::istringstream in(read_whole_lines(csv));
  CsvReader reader(in, csv.string());
  std::vector<size_t> index;
  for (const auto& name : columns) index.push_back(reader.column(name));
  std::vector<std::vector<double>> values(columns.size());
  CsvRecord record;
  while (reader.next(record)) {
    if (!record.problem.empty()) fail(csv.string(), ":", record.line, ": ", record.problem);
    for (size_t c = 0; c < index.size(); ++c) {
      const std::string text(record.fields[index[c]]);
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || errno != 0)
        fail(csv.string(), ":", record.line, ": ", columns[c], " '", text, "' is not a number");
      values[c].push_back(v);
    }
  }
  return values;
}

StudyResults collect_study(const std::filesystem::path& dir) {
  StudyResults results;
  results.dir = dir;
  results.state = read_study_state(dir / layout::kState);
  SourceTable sources(results.energy_sources);

  std::map<std::string, PhaseEnergy> ledger;
  if (std::filesystem::exists(dir / layout::kLedger))
    for (auto& row : read_emissions_log(dir / layout::kLedger))
      ledger.emplace(row.row.run_id, std::move(row));
  for (const auto& record : results.state.stages) {
    StageResult stage{record, std::nullopt};
    for (const auto& run_id : record.energy_runs) {
      auto found = ledger.find(run_id);
      if (found == ledger.end()) continue;
      if (!stage.energy) stage.energy.emplace();
      const PhaseEnergy& phase = found->second;
      stage.energy->seconds += phase.row.duration;
      stage.energy->kwh += phase.row.energy_consumed;
      stage.energy->kg_co2eq += phase.row.emissions;
      const std::string id =
          phase.details ? sources.id_for(phase.details->method, describe_source(*phase.details))
                        : sources.id_for("unknown",
                                         "unknown: the row has no entry in "
                                         "emissions_details.jsonl saying how it was obtained");
      add_unique(stage.energy->sources, id);
    }
    results.stages.push_back(std::move(stage));
  }

  const auto& settings = results.state.settings;
  for (const auto& model : settings.models) {
    ModelResult m;
    m.model = model;
    const int names = settings.layout;
    const auto run_dir =
        dir / layout::model_dir(model.name, layout::precision_dir(Precision::fp32, names));
    if (done(results, model.name + "/train")) {
      m.metrics = read_json(run_dir / "metrics.json");
      if (!results.data && m.metrics->contains("data")) results.data = m.metrics->at("data");
      read_logs(m, run_dir);
    }
    results.models.push_back(std::move(m));
    for (const Precision p : model_precisions(settings, model)) {
      const std::string precision = layout::precision_dir(p, names);
      ConfigResult config;
      config.model = model.name;
      config.precision = p;
      if (done(results, model.name + "/eval-" + precision))
        read_eval(config, dir / layout::eval_json(model.name, precision));
      if (done(results, model.name + "/bench-" + precision)) {
        auto records = read_bench_file(dir / layout::bench_json(model.name, precision));
        for (auto& record : records) {
          // The study's names, whatever bench called the model directory.
          record.model = model.name;
          if (!config.bench && record.precision == p && record.backend("cpp")) {
            config.bench = results.bench.size();
            config.bench_energy_source = bench_source(sources, *record.backend("cpp"));
          }
          results.bench.push_back(std::move(record));
        }
      }
      results.configs.push_back(std::move(config));
    }
  }
  if (std::filesystem::is_directory(dir / layout::kBaselinesDir)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir / layout::kBaselinesDir))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files)
      for (auto& record : read_bench_file(file)) results.bench.push_back(std::move(record));
  }
  return results;
}

}  // namespace greenbert
