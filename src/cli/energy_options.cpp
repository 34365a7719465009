#include "cli/energy_options.h"

#include <charconv>
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

namespace {

// Shortest text that reads back as the same double.
std::string exact(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::vector<std::string> energy_option_arguments(const EnergyOptions& options) {
  const EnergyOptions defaults;
  std::vector<std::string> args;
  if (!options.country.empty()) args.insert(args.end(), {"--country", options.country});
  if (options.carbon_intensity)
    args.insert(args.end(), {"--carbon-intensity", exact(*options.carbon_intensity)});
  if (options.pue != defaults.pue) args.insert(args.end(), {"--pue", exact(options.pue)});
  if (options.cpu_power_watts)
    args.insert(args.end(), {"--cpu-power", exact(*options.cpu_power_watts)});
  if (options.ram_power_watts)
    args.insert(args.end(), {"--ram-power", exact(*options.ram_power_watts)});
  if (options.load_mode != defaults.load_mode)
    args.insert(args.end(), {"--load-mode", std::string(load_mode_name(options.load_mode))});
  if (options.ram_model != defaults.ram_model)
    args.insert(args.end(), {"--ram-model", std::string(ram_model_name(options.ram_model))});
  if (options.sample_interval_seconds != defaults.sample_interval_seconds)
    args.insert(args.end(), {"--energy-interval", exact(options.sample_interval_seconds)});
  if (options.sysfs_root != defaults.sysfs_root)
    args.insert(args.end(), {"--sysfs-root", options.sysfs_root.string()});
  return args;
}

}  // namespace greenbert::cli
