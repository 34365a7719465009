#include "energy/emissions_details.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"
#include "energy/energy_figures.h"

namespace greenbert {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "greenbert-emissions-details";
constexpr int kFormatVersion = 1;

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

std::optional<double> read_optional_number(const json& object, const char* key) {
  const json& value = object.at(key);
  if (value.is_null()) return std::nullopt;
  return value.get<double>();
}

json to_json(const PhaseDetails& d) {
  return json{
      {"format", kFormat},
      {"version", kFormatVersion},
      {"run_id", d.run_id},
      {"phase", d.phase},
      {"project_name", d.project_name},
      {"experiment_id", d.experiment_id},
      {"completed", d.completed},
      {"method", d.method},
      {"cpu_detail", d.cpu_detail},
      {"not_used", d.not_used},
      {"ram_measured", d.ram_measured},
      {"ram_detail", d.ram_detail},
      {"assumed_tdp_watts", optional_number(d.assumed_tdp_watts)},
      {"tdp_source", d.tdp_source},
      {"load_mode", d.load_mode},
      {"samples", d.samples},
      {"sample_interval_seconds", d.sample_interval_seconds},
      {"failed_reads", d.failed_reads},
      {"sequences", d.sequences},
      {"tokens", d.tokens},
      {"duration_seconds", d.duration_seconds},
      {"cpu_joules", d.cpu_joules},
      {"ram_joules", d.ram_joules},
      {"joules", d.joules},
      {"joules_per_sequence", optional_number(d.joules_per_sequence)},
      {"joules_per_1000_predictions", optional_number(d.joules_per_1000_predictions)},
      {"joules_per_token", optional_number(d.joules_per_token)},
      {"kwh", d.kwh},
      {"kg_co2eq", d.kg_co2eq},
      {"carbon_intensity_g_per_kwh", d.carbon_intensity_g_per_kwh},
      {"carbon_intensity_source", d.carbon_intensity_source},
      {"pue", d.pue},
      {"greenbert_version", d.greenbert_version},
  };
}

PhaseDetails from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("not a JSON object");
  if (j.at("format") != kFormat)
    throw std::invalid_argument("format is not " + std::string(kFormat));
  const json& version = j.contains("version") ? j.at("version") : j.at("format_version");
  if (version != kFormatVersion)
    throw std::invalid_argument(
        cat("version ", version.dump(), " is not supported (expected ", kFormatVersion, ")"));
  PhaseDetails d;
  d.run_id = j.at("run_id").get<std::string>();
  d.phase = j.at("phase").get<std::string>();
  d.project_name = j.at("project_name").get<std::string>();
  d.experiment_id = j.at("experiment_id").get<std::string>();
  d.completed = j.at("completed").get<bool>();
  d.method = j.at("method").get<std::string>();
  d.cpu_detail = j.at("cpu_detail").get<std::string>();
  d.not_used = j.at("not_used").get<std::vector<std::string>>();
  d.ram_measured = j.at("ram_measured").get<bool>();
  d.ram_detail = j.at("ram_detail").get<std::string>();
  d.assumed_tdp_watts = read_optional_number(j, "assumed_tdp_watts");
  d.tdp_source = j.at("tdp_source").get<std::string>();
  d.load_mode = j.at("load_mode").get<std::string>();
  d.samples = json_integer<int>(j.at("samples"), "samples");
  d.sample_interval_seconds = j.at("sample_interval_seconds").get<double>();
  d.failed_reads = json_integer<int>(j.at("failed_reads"), "failed_reads");
  d.sequences = json_integer<int64_t>(j.at("sequences"), "sequences");
  d.tokens = json_integer<int64_t>(j.at("tokens"), "tokens");
  d.duration_seconds = j.at("duration_seconds").get<double>();
  d.cpu_joules = j.at("cpu_joules").get<double>();
  d.ram_joules = j.at("ram_joules").get<double>();
  d.joules = j.at("joules").get<double>();
  d.joules_per_sequence = read_optional_number(j, "joules_per_sequence");
  d.joules_per_1000_predictions = read_optional_number(j, "joules_per_1000_predictions");
  d.joules_per_token = read_optional_number(j, "joules_per_token");
  d.kwh = j.at("kwh").get<double>();
  d.kg_co2eq = j.at("kg_co2eq").get<double>();
  d.carbon_intensity_g_per_kwh = j.at("carbon_intensity_g_per_kwh").get<double>();
  d.carbon_intensity_source = j.at("carbon_intensity_source").get<std::string>();
  d.pue = j.at("pue").get<double>();
  d.greenbert_version = j.at("greenbert_version").get<std::string>();
  if (d.run_id.empty()) throw std::invalid_argument("run_id is empty");
  if (d.method != "rapl" && d.method != "perf" && d.method != "estimated")
    throw std::invalid_argument("method '" + d.method + "' is not rapl, perf or estimated");
  if (d.sequences < 0 || d.tokens < 0 || d.joules < 0 || d.duration_seconds < 0)
    throw std::invalid_argument("negative work, energy or duration");
  return d;
}

bool same_energy(double a, double b) {
  return std::abs(a - b) <= 1e-9 + 1e-6 * std::abs(a);
}

}  // namespace

std::filesystem::path details_path_for(const std::filesystem::path& csv) {
  return csv.parent_path() / (csv.stem().string() + "_details.jsonl");
}

std::string format_details_line(const PhaseDetails& details) {
  return to_json(details).dump() + "\n";
}

void append_details(const std::filesystem::path& jsonl, const PhaseDetails& details) {
  append_file_durably(jsonl, format_details_line(details));
}

PhaseDetails parse_details_line(std::string_view line, const std::string& where) {
  try {
    return from_json(parse_json(line, where));
  } catch (const json::exception& e) {
    fail(where, ": ", e.what());
  } catch (const std::invalid_argument& e) {
    fail(where, ": ", e.what());
  } catch (const Error& e) {
    fail(where, ": ", e.what());
  }
}

std::vector<PhaseDetails> read_details(const std::filesystem::path& jsonl) {
  const std::string text = read_whole_lines(jsonl);
  std::vector<PhaseDetails> out;
  size_t start = 0;
  for (size_t line_number = 1; start < text.size(); ++line_number) {
    const std::string where = cat(jsonl.string(), ":", line_number);
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    out.push_back(parse_details_line(line, where));
  }
  return out;
}

std::vector<PhaseEnergy> read_emissions_log(const std::filesystem::path& csv) {
  std::vector<PhaseEnergy> out;
  for (auto& row : read_emissions_csv(csv)) out.push_back({std::move(row), std::nullopt});
  const auto sidecar = details_path_for(csv);
  if (!std::filesystem::exists(sidecar)) return out;
  std::map<std::string, PhaseDetails> by_run;
  for (auto& details : read_details(sidecar)) {
    std::string run_id = details.run_id;
    if (!by_run.emplace(run_id, std::move(details)).second)
      fail(sidecar.string(), ": run_id ", run_id, " appears twice");
  }
  for (auto& phase : out) {
    auto found = by_run.find(phase.row.run_id);
    if (found == by_run.end()) continue;
    const double row_joules = kwh_to_joules(phase.row.energy_consumed);
    if (!same_energy(found->second.joules, row_joules))
      fail(sidecar.string(), ": run_id ", phase.row.run_id, " states ", found->second.joules,
           " J but ", csv.string(), " states ", row_joules, " J");
    phase.details = std::move(found->second);
  }
  return out;
}

}  // namespace greenbert
