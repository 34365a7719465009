#pragma once
// The sidecar of emissions.csv (emissions_details.jsonl beside it): one JSON object per phase
// saying what CodeCarbon's columns cannot — the phase, whether the figure is measured (rapl, perf)
// or estimated and how (assumed TDP and its source, load mode), how many samples, the work done
// and the per-unit figures, and where the carbon intensity came from. Joined to the CSV by run_id.
// Each line carries "format": "greenbert-emissions-details" and "version": 1 (lines written before
// the key was named like every other format's say "format_version").
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "energy/emissions_csv.h"

namespace greenbert {

struct PhaseDetails {
  std::string run_id;
  std::string phase;  // train, eval, quantize, bench, predict, serve, measure
  std::string project_name;
  std::string experiment_id;
  bool completed = true;  // false: recorded by the tracker's destructor (the phase threw)
  std::string method;     // rapl | perf | estimated
  std::string cpu_detail;
  std::vector<std::string> not_used;  // why better sources were not used
  bool ram_measured = false;
  std::string ram_detail;
  std::optional<double> assumed_tdp_watts;  // set when the CPU figure is estimated
  std::string tdp_source;
  std::string load_mode;  // machine | process
  int samples = 0;
  double sample_interval_seconds = 0;
  int failed_reads = 0;
  int64_t sequences = 0;
  int64_t tokens = 0;
  double duration_seconds = 0;
  double cpu_joules = 0;  // before PUE
  double ram_joules = 0;  // before PUE
  double joules = 0;      // energy_consumed in joules (PUE applied)
  std::optional<double> joules_per_sequence;
  std::optional<double> joules_per_1000_predictions;
  std::optional<double> joules_per_token;
  double kwh = 0;
  double kg_co2eq = 0;
  double carbon_intensity_g_per_kwh = 0;
  std::string carbon_intensity_source;
  double pue = 1;
  std::string greenbert_version;
};

// emissions.csv -> emissions_details.jsonl, runs/x/e.csv -> runs/x/e_details.jsonl.
std::filesystem::path details_path_for(const std::filesystem::path& csv);

std::string format_details_line(const PhaseDetails& details);  // one JSON line with '\n'
void append_details(const std::filesystem::path& jsonl, const PhaseDetails& details);
// One line as format_details_line writes it, validated; errors are "WHERE: reason".
PhaseDetails parse_details_line(std::string_view line, const std::string& where);
// Validates every line; errors are "FILE:LINE: reason". A torn last line (an interrupted append)
// is left out with a warning.
std::vector<PhaseDetails> read_details(const std::filesystem::path& jsonl);

// A row of emissions.csv with its sidecar entry, as the report reads them.
struct PhaseEnergy {
  EmissionsRecord row;
  std::optional<PhaseDetails> details;  // absent when the sidecar has no entry for the row
};

// Reads the CSV and, when present, its sidecar; joins them by run_id and checks that both
// state the same energy. The tracker appends the row first, so a crash between the two appends
// leaves a row without details (details empty), never details without a row; sidecar entries
// without a row are ignored: the row is the record.
std::vector<PhaseEnergy> read_emissions_log(const std::filesystem::path& csv);

}  // namespace greenbert
