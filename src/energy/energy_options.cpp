#include "energy/energy_options.h"

#include "core/error.h"

namespace greenbert {

std::string_view load_mode_name(LoadMode mode) {
  return mode == LoadMode::machine ? "machine" : "process";
}

void validate_energy_options(const EnergyOptions& options) {
  if (!(options.pue >= 1.0)) fail("--pue must be >= 1.0 (got ", options.pue, ")");
  if (options.cpu_power_watts && !(*options.cpu_power_watts > 0))
    fail("--cpu-power must be > 0 W (got ", *options.cpu_power_watts, ")");
  if (options.ram_power_watts && !(*options.ram_power_watts >= 0))
    fail("--ram-power must be >= 0 W (got ", *options.ram_power_watts, ")");
  if (options.carbon_intensity && !(*options.carbon_intensity >= 0))
    fail("--carbon-intensity must be >= 0 g/kWh (got ", *options.carbon_intensity, ")");
  if (!(options.sample_interval_seconds > 0))
    fail("--energy-interval must be > 0 seconds (got ", options.sample_interval_seconds, ")");
}

}  // namespace greenbert
