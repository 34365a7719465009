// `greenbert energy info` shows which energy source would be used and why the better ones are
// not; `greenbert energy measure -- CMD ARGS...` runs a command and records its energy with the
// same method as greenbert's own phases (how the study keeps comparisons with PyTorch fair).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/energy_options.h"
#include "core/child_process.h"
#include "core/error.h"
#include "core/stop_signals.h"
#include "energy/carbon_intensity.h"
#include "energy/energy_meter.h"
#include "energy/energy_tracker.h"

namespace greenbert::cli {
namespace {

void print_row(const std::string& key, const std::string& value) {
  std::printf("%-18s%s\n", key.c_str(), value.c_str());
}

void print_energy_info(const EnergyOptions& options) {
  const CarbonIntensity intensity =
      resolve_carbon_intensity(options.country, options.carbon_intensity);
  const EnergyMeter meter(options);
  const MeterSetup& setup = meter.setup();
  print_row("energy source", std::string(energy_method_name(setup.method)));
  for (const auto& reason : setup.not_used) {
    auto colon = reason.find(": ");
    print_row("  " + reason.substr(0, colon), "not used: " + reason.substr(colon + 2));
  }
  print_row("cpu",
            cat(setup.cpu_model.empty() ? "(unknown)" : setup.cpu_model, " (", setup.logical_cpus,
                " logical CPUs, ", setup.sockets, setup.sockets == 1 ? " socket)" : " sockets)"));
  print_row("cpu energy", setup.cpu_detail);
  if (setup.method == EnergyMethod::estimated) {
    print_row("assumed TDP", cat(setup.tdp.watts, " W (", setup.tdp.source, ")"));
    print_row("load mode", std::string(load_mode_name(options.load_mode)));
  }
  print_row("ram energy", setup.ram_detail);
  print_row("carbon intensity", cat(intensity.g_per_kwh, " g CO2eq/kWh (", intensity.source, ")"));
  print_row("pue", cat(options.pue));
  for (const auto& note : setup.notes) print_row("note", note);
}

struct MeasureArgs {
  EnergyOptions options;
  std::filesystem::path out = "emissions.csv";
  std::string phase = "measure";
  std::string project = "greenbert";
  std::string experiment;
  std::vector<std::string> command;
};

void measure(const MeasureArgs& args) {
  // Everything that can be refused is refused before the command runs.
  validate_energy_options(args.options);
  resolve_carbon_intensity(args.options.country, args.options.carbon_intensity);
  // While the command runs, a stop signal ends it, not greenbert, which records the energy it
  // used: Ctrl-C reaches the command from the terminal, a signal sent to greenbert alone is passed
  // on to it.
  StopSignals signals(nullptr, /*second_ends_process=*/false);
  // Started first, so a command that cannot start leaves no row; the tracker's baseline is
  // taken a moment (the spawn) later.
  const pid_t pid = start_process(args.command);
  signals.forward_to(pid);
  std::optional<EnergyTracker> tracker;
  try {
    tracker.emplace(args.phase, args.out, args.options, args.project, args.experiment);
  } catch (...) {
    wait_process(pid);
    throw;
  }
  const int exit_code = wait_process(pid).exit_code;
  const EmissionsRecord row = tracker->stop();
  const PhaseDetails& details = tracker->details();
  const EnergySnapshot energy{tracker->setup().method, row.duration, details.joules,
                              row.energy_consumed, row.emissions};
  std::string how = details.cpu_detail;
  if (details.assumed_tdp_watts)
    how += cat("; TDP ", *details.assumed_tdp_watts, " W (", details.tdp_source, ")");
  std::fprintf(stderr, "greenbert: '%s' exited %d after %.2f s: %s (%.3g kWh) -> %s\n",
               args.command[0].c_str(), exit_code, row.duration, format_energy(energy).c_str(),
               row.energy_consumed, args.out.c_str());
  std::fprintf(stderr, "greenbert: cpu %s\ngreenbert: ram %s\n", how.c_str(),
               details.ram_detail.c_str());
  if (exit_code != 0) throw CLI::RuntimeError(exit_code);
}

}  // namespace

void add_energy_command(CLI::App& app) {
  auto* energy = app.add_subcommand(
      "energy", "Energy and CO2 accounting: show the energy source, measure a command");
  energy->require_subcommand(1);

  auto info_options = std::make_shared<EnergyOptions>();
  auto* info = energy->add_subcommand(
      "info",
      "Show the energy source that would be used and why others are not, the CPU, the assumed "
      "TDP, the RAM model and the carbon intensity");
  add_energy_options(*info, *info_options);
  info->callback([info_options] { print_energy_info(*info_options); });

  auto args = std::make_shared<MeasureArgs>();
  auto* run = energy->add_subcommand(
      "measure",
      "Run a command (after --) and append its energy and CO2 to an emissions.csv, measured "
      "the same way as greenbert's own phases");
  add_energy_options(*run, args->options);
  run->add_option("--out", args->out, "emissions.csv to append to (created with its header)")
      ->capture_default_str();
  run->add_option("--phase", args->phase, "Phase name recorded in the sidecar")
      ->capture_default_str();
  run->add_option("--project", args->project, "project_name column")->capture_default_str();
  run->add_option("--experiment", args->experiment, "experiment_id column");
  run->add_option("command", args->command, "The command and its arguments, after --")->required();
  run->callback([args] { measure(*args); });
}

}  // namespace greenbert::cli
