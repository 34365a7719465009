#pragma once
// Turns what the probes saw over each sampling interval into joules. Pure arithmetic, no I/O:
// energy = sum over intervals of (measured joules, or modelled power x interval length), which
// is exact for counters and is CodeCarbon's integration for the estimate (the power of an
// interval comes from the load averaged over that interval).
#include <optional>

#include "energy/energy_options.h"

namespace greenbert {

struct IntervalReading {
  double seconds = 0;
  double machine_load = 0;           // whole-machine utilisation over the interval, [0, 1]
  double process_share = 0;          // tracked processes' CPU time / (seconds x logical CPUs)
  std::optional<double> cpu_joules;  // from a counter; nullopt: estimate from the load
  std::optional<double> ram_joules;  // from DRAM counters; nullopt: estimate from the model
  double ram_model_gib = 0;          // memory the RAM model applies to (machine or process RSS)
  double ram_used_gib = 0;           // machine memory in use, for the CSV's ram_used_gb
  double ram_total_gib = 0;
};

struct PowerModel {
  double tdp_watts = 0;
  LoadMode load_mode = LoadMode::machine;
  RamModel ram_model = RamModel::codecarbon_v3;
  std::optional<double> ram_power_watts;
};

double modelled_cpu_watts(const PowerModel& model, const IntervalReading& interval);
double modelled_ram_watts(const PowerModel& model, const IntervalReading& interval);

// Running totals; the *_seconds fields are time integrals used for time-weighted means.
struct EnergyTotals {
  double seconds = 0;
  double cpu_joules = 0;  // IT energy, before PUE
  double ram_joules = 0;
  int intervals = 0;
  double machine_load_seconds = 0;
  double ram_used_gib_seconds = 0;
  double ram_percent_seconds = 0;

  double cpu_watts() const { return seconds > 0 ? cpu_joules / seconds : 0; }
  double ram_watts() const { return seconds > 0 ? ram_joules / seconds : 0; }
  double cpu_utilization_percent() const {
    return seconds > 0 ? 100.0 * machine_load_seconds / seconds : 0;
  }
  double ram_used_gib() const { return seconds > 0 ? ram_used_gib_seconds / seconds : 0; }
  double ram_utilization_percent() const { return seconds > 0 ? ram_percent_seconds / seconds : 0; }
};

void accumulate(EnergyTotals& totals, const IntervalReading& interval, const PowerModel& model);

}  // namespace greenbert
