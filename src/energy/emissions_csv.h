#pragma once
// emissions.csv in CodeCarbon 3.x's format: the same 38 columns in the same order
// (codecarbon/output_methods/emissions_data.py, EmissionsData, CodeCarbon 3.2) and the same
// units — duration s, emissions kg CO2eq, emissions_rate kg/s, *_power W (mean over the phase),
// *_energy and energy_consumed kWh (PUE applied, as CodeCarbon does), ram_total_size and
// ram_used_gb GiB, water_consumed L — so CodeCarbon's tools and the study's notebooks read it.
//
// Columns greenbert fills in its own way, honestly:
//   python_version      empty: no Python ran.
//   codecarbon_version  "greenbert <version>": the column names the tool that wrote the row.
//   region, cloud_*, longitude, latitude: empty (greenbert never geolocates).
//   gpu_*               0 and empty: greenbert runs on the CPU.
//   water_consumed, wue 0: no water usage effectiveness is assumed.
// Whether a row is measured or estimated, and how, is in the sidecar (emissions_details.h),
// joined by run_id.
//
// Appends are one write(2) each (core/atomic_file.h), the header is created atomically, and a
// file whose header differs is refused rather than mixed with another schema.
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace greenbert {

struct EmissionsRecord {
  std::string timestamp;  // local time, %Y-%m-%dT%H:%M:%S
  std::string project_name;
  std::string run_id;  // UUID, unique per row; the sidecar's join key
  std::string experiment_id;
  double duration = 0;
  double emissions = 0;
  double emissions_rate = 0;
  double cpu_power = 0;
  double gpu_power = 0;
  double ram_power = 0;
  double cpu_energy = 0;
  double gpu_energy = 0;
  double ram_energy = 0;
  double energy_consumed = 0;
  double water_consumed = 0;
  std::string country_name;
  std::string country_iso_code;
  std::string region;
  std::string cloud_provider;
  std::string cloud_region;
  std::string os;
  std::string python_version;
  std::string codecarbon_version;
  int cpu_count = 0;
  std::string cpu_model;
  int gpu_count = 0;
  std::string gpu_model;
  std::optional<double> longitude;
  std::optional<double> latitude;
  double ram_total_size = 0;
  std::string tracking_mode;  // machine | process
  double cpu_utilization_percent = 0;
  double gpu_utilization_percent = 0;
  double ram_utilization_percent = 0;
  double ram_used_gb = 0;
  std::string on_cloud = "N";
  double pue = 1;
  double wue = 0;
};

std::span<const std::string_view> emissions_csv_columns();
std::string emissions_csv_header();                               // ends with '\n'
std::string format_emissions_row(const EmissionsRecord& record);  // one line, ends with '\n'

// One row as format_emissions_row writes it (a trailing '\n' is allowed), validated; errors are
// "WHERE: reason".
EmissionsRecord parse_emissions_row(std::string_view line, const std::string& where);

// Appends one row, creating the file with its header if needed. Throws greenbert::Error if the
// existing file's header is not exactly CodeCarbon 3.x's.
void append_emissions_row(const std::filesystem::path& csv, const EmissionsRecord& record);

// Reads and validates every row; a garbled or inconsistent file is a greenbert::Error
// "FILE:LINE: reason". A torn last line (an interrupted append) is no row: it is left out with a
// warning (read_whole_lines, core/atomic_file.h).
std::vector<EmissionsRecord> read_emissions_csv(const std::filesystem::path& csv);

}  // namespace greenbert
