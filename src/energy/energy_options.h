#pragma once
// Everything a user can choose about energy and carbon accounting; the CLI fills it with
// add_energy_options (src/cli/energy_options.h) for every subcommand that runs a phase.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "energy/power_models.h"

namespace greenbert {

// What the estimate's CPU load is (CodeCarbon's tracking_mode): the whole machine's utilisation
// from /proc/stat, or the CPU-time share of this process and its children.
enum class LoadMode { machine, process };
std::string_view load_mode_name(LoadMode mode);

struct EnergyOptions {
  std::string country;                     // ISO 3166-1 alpha-3; empty: world average
  std::optional<double> carbon_intensity;  // g CO2eq / kWh, replaces the country's
  double pue = 1.0;                        // data-centre power usage effectiveness
  std::optional<double> cpu_power_watts;   // assumed TDP; forces the estimate (as CodeCarbon)
  std::optional<double> ram_power_watts;   // constant RAM power instead of the model
  LoadMode load_mode = LoadMode::machine;  // CodeCarbon's default
  RamModel ram_model = RamModel::codecarbon_v3;
  double sample_interval_seconds = 1.0;
  std::filesystem::path sysfs_root = "/sys";  // injectable for tests and containers
  std::filesystem::path proc_root = "/proc";
};

// Throws greenbert::Error naming the option for values that make no sense.
void validate_energy_options(const EnergyOptions& options);

}  // namespace greenbert
