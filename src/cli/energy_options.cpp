#include "cli/energy_options.h"

#include <string>

namespace greenbert::cli {

void add_energy_options(CLI::App& command, EnergyOptions& options) {
  const std::string group = "Energy and CO2";
  command
      .add_option("--country", options.country,
                  "Country of the electricity grid, ISO 3166-1 alpha-3 (FRA, DEU, USA...), for "
                  "its carbon intensity; default: world average 475 g/kWh")
      ->group(group);
  command
      .add_option_function<double>(
          "--carbon-intensity", [&options](double g) { options.carbon_intensity = g; },
          "Carbon intensity in g CO2eq/kWh, replacing the country's")
      ->group(group);
  command.add_option("--pue", options.pue, "Data-centre power usage effectiveness (>= 1)")
      ->capture_default_str()
      ->group(group);
  command
      .add_option_function<double>(
          "--cpu-power", [&options](double w) { options.cpu_power_watts = w; },
          "Assumed CPU TDP in watts for the estimate; skips RAPL and perf (CodeCarbon's "
          "force_cpu_power)")
      ->group(group);
  command
      .add_option_function<double>(
          "--ram-power", [&options](double w) { options.ram_power_watts = w; },
          "Constant RAM power in watts instead of the RAM model")
      ->group(group);
  command
      .add_option_function<std::string>(
          "--load-mode",
          [&options](const std::string& mode) {
            options.load_mode = mode == "process" ? LoadMode::process : LoadMode::machine;
          },
          "CPU load the estimate uses: machine (whole machine, /proc/stat; CodeCarbon's "
          "default) or process (this process and its children)")
      ->check(CLI::IsMember({"machine", "process"}))
      ->default_str("machine")
      ->group(group);
  command
      .add_option_function<std::string>(
          "--ram-model",
          [&options](const std::string& model) {
            options.ram_model =
                model == "codecarbon-v2" ? RamModel::codecarbon_v2 : RamModel::codecarbon_v3;
          },
          "RAM power model when DRAM is not measured: codecarbon-v3 (5 W per estimated DIMM, "
          "10 W floor) or codecarbon-v2 (3 W per 8 GB)")
      ->check(CLI::IsMember({"codecarbon-v3", "codecarbon-v2"}))
      ->default_str("codecarbon-v3")
      ->group(group);
  command
      .add_option("--energy-interval", options.sample_interval_seconds,
                  "Seconds between energy samples")
      ->capture_default_str()
      ->group(group);
  command
      .add_option("--sysfs-root", options.sysfs_root,
                  "Where sysfs is mounted (RAPL and perf are looked up under it)")
      ->capture_default_str()
      ->group(group);
}

}  // namespace greenbert::cli
