#include "energy/energy_meter.h"

#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/system_info.h"
#include "energy/kernel_files.h"
#include "energy/perf_power.h"
#include "energy/rapl.h"

namespace greenbert {
namespace {

int count_sockets(const std::filesystem::path& proc_root) {
  auto cpuinfo = read_kernel_attribute(proc_root / "cpuinfo");
  std::set<std::string> ids;
  std::istringstream lines(cpuinfo.text.value_or(""));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("physical id", 0) == 0) ids.insert(line.substr(line.find(':') + 1));
  }
  return ids.empty() ? 1 : static_cast<int>(ids.size());
}

std::string labels(const std::vector<EnergyCounter>& counters) {
  std::string out;
  for (const auto& counter : counters) {
    if (!out.empty()) out += ", ";
    out += counter.label;
  }
  return out;
}

std::string gib(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f GiB", value);
  return buffer;
}

// Hardware counters see whole packages: say so when the user asked for process tracking.
std::string scope_note(const EnergyOptions& options) {
  return options.load_mode == LoadMode::process
             ? " (whole packages: counters cannot isolate processes)"
             : "";
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (int cpu : cpus) {
    if (!out.empty()) out += ',';
    out += std::to_string(cpu);
  }
  return out;
}

}  // namespace

std::string_view energy_method_name(EnergyMethod method) {
  switch (method) {
    case EnergyMethod::rapl:
      return "rapl";
    case EnergyMethod::perf:
      return "perf";
    case EnergyMethod::estimated:
      return "estimated";
  }
  return "estimated";
}

EnergyMeter::EnergyMeter(const EnergyOptions& options) : options_(options), pid_(::getpid()) {
  validate_energy_options(options);
  const SystemInfo info = system_info();
  setup_.cpu_model = info.cpu_model;
  setup_.logical_cpus = std::max(info.logical_cpus, 1);
  setup_.sockets = count_sockets(options.proc_root);
  auto memory = read_kernel_attribute(options.proc_root / "meminfo");
  auto parsed_memory = memory.text ? parse_meminfo(*memory.text) : std::nullopt;
  setup_.ram_total_gib = parsed_memory ? parsed_memory->total_gib : info.ram_total_gb;

  setup_.tdp =
      assume_tdp(setup_.cpu_model, setup_.logical_cpus, setup_.sockets, options.cpu_power_watts);
  setup_.model = {setup_.tdp.watts, options.load_mode, options.ram_model, options.ram_power_watts};
  choose_counters(options);

  if (setup_.method == EnergyMethod::estimated) {
    setup_.cpu_detail =
        options.load_mode == LoadMode::machine
            ? cat("estimated: P = TDP x (0.1 + 0.9 x load^3), load = machine utilisation from ",
                  (options.proc_root / "stat").string(), " (CodeCarbon 3.x cpu_load, machine)")
            : cat("estimated: P = TDP x share, share = CPU time of this process and its children"
                  " / (wall time x ",
                  setup_.logical_cpus, " logical CPUs) (CodeCarbon 3.x cpu_load, process)");
  }
  if (!setup_.ram_measured) {
    if (options.ram_power_watts) {
      setup_.ram_detail = cat("estimated: --ram-power ", *options.ram_power_watts, " W");
    } else if (options.load_mode == LoadMode::process) {
      setup_.ram_detail = cat("estimated: ", ram_model_name(options.ram_model),
                              " model applied to the resident memory of this process and its "
                              "children");
    } else if (options.ram_model == RamModel::codecarbon_v3) {
      setup_.ram_detail = cat("estimated: codecarbon-v3 model, ", gib(setup_.ram_total_gib), " -> ",
                              estimate_dimm_count(setup_.ram_total_gib), " DIMMs -> ",
                              ram_power_codecarbon_v3(setup_.ram_total_gib), " W");
    } else {
      setup_.ram_detail =
          cat("estimated: codecarbon-v2 model, 3 W per 8 GB x ", gib(setup_.ram_total_gib), " -> ",
              ram_power_codecarbon_v2(setup_.ram_total_gib), " W");
    }
  }

  auto stat = read_kernel_attribute(options.proc_root / "stat");
  if (auto ticks = stat.text ? parse_proc_stat(*stat.text) : std::nullopt) last_ticks_ = *ticks;
  if (options.load_mode == LoadMode::process)
    last_process_cpu_seconds_ = process_tree_usage(options.proc_root, pid_).cpu_seconds;
  last_time_ = std::chrono::steady_clock::now();
}

EnergyMeter::~EnergyMeter() = default;

void EnergyMeter::choose_counters(const EnergyOptions& options) {
  if (options.cpu_power_watts) {
    setup_.not_used.push_back("RAPL: skipped, --cpu-power asks for the estimate");
    setup_.not_used.push_back("perf: skipped, --cpu-power asks for the estimate");
    return;
  }
  RaplDomains rapl = discover_rapl(options.sysfs_root);
  setup_.notes.insert(setup_.notes.end(), rapl.notes.begin(), rapl.notes.end());
  if (rapl.unavailable.empty()) {
    try {
      rapl_packages_ = std::make_unique<EnergyCounterSet>(rapl.packages);
    } catch (const Error& e) {
      rapl.unavailable = e.what();
    }
  }
  if (rapl_packages_) {
    setup_.method = EnergyMethod::rapl;
    setup_.cpu_detail = cat("measured: RAPL ", labels(rapl.packages), scope_note(options));
    if (!rapl.dram.empty()) {
      try {
        rapl_dram_ = std::make_unique<EnergyCounterSet>(rapl.dram);
        setup_.ram_measured = true;
        setup_.ram_detail = cat("measured: RAPL ", labels(rapl.dram), scope_note(options));
      } catch (const Error& e) {
        setup_.notes.push_back(cat("RAPL DRAM not used: ", e.what()));
      }
    }
    return;
  }
  setup_.not_used.push_back(cat("RAPL: ", rapl.unavailable));

  PerfPowerPmu pmu = discover_perf_power(options.sysfs_root);
  if (!pmu.unavailable.empty()) {
    setup_.not_used.push_back(cat("perf: ", pmu.unavailable));
    return;
  }
  try {
    perf_package_ = std::make_unique<PerfEnergyCounters>(pmu, *pmu.package, options.proc_root);
  } catch (const Error& e) {
    setup_.not_used.push_back(cat("perf: ", e.what()));
    return;
  }
  setup_.method = EnergyMethod::perf;
  setup_.cpu_detail =
      cat("measured: perf power/energy-pkg/ on CPUs ", cpu_list(pmu.cpus), scope_note(options));
  if (pmu.ram) {
    try {
      perf_ram_ = std::make_unique<PerfEnergyCounters>(pmu, *pmu.ram, options.proc_root);
      setup_.ram_measured = true;
      setup_.ram_detail = cat("measured: perf power/energy-ram/", scope_note(options));
    } catch (const Error& e) {
      setup_.notes.push_back(cat("perf energy-ram not used: ", e.what()));
    }
  }
}

void EnergyMeter::sample() {
  const auto now = std::chrono::steady_clock::now();
  IntervalReading reading;
  reading.seconds = std::chrono::duration<double>(now - last_time_).count();
  last_time_ = now;

  auto stat = read_kernel_attribute(options_.proc_root / "stat");
  if (auto ticks = stat.text ? parse_proc_stat(*stat.text) : std::nullopt) {
    // No tick elapsed (an interval under ~10 ms): keep the previous interval's load.
    if (auto load = utilisation_between(last_ticks_, *ticks)) last_load_ = *load;
    last_ticks_ = *ticks;
  }
  reading.machine_load = last_load_;

  auto memory = read_kernel_attribute(options_.proc_root / "meminfo");
  if (auto parsed = memory.text ? parse_meminfo(*memory.text) : std::nullopt) {
    reading.ram_used_gib = parsed->used_gib;
    reading.ram_total_gib = parsed->total_gib;
  }
  reading.ram_model_gib = setup_.ram_total_gib;

  if (options_.load_mode == LoadMode::process) {
    auto usage = process_tree_usage(options_.proc_root, pid_);
    double cpu_seconds = std::max(usage.cpu_seconds - last_process_cpu_seconds_, 0.0);
    last_process_cpu_seconds_ = std::max(usage.cpu_seconds, last_process_cpu_seconds_);
    if (reading.seconds > 0)
      reading.process_share = cpu_seconds / (reading.seconds * setup_.logical_cpus);
    reading.ram_model_gib = usage.rss_gib;
  }

  if (rapl_packages_) reading.cpu_joules = rapl_packages_->advance_joules();
  if (perf_package_) reading.cpu_joules = perf_package_->advance_joules();
  if (rapl_dram_) reading.ram_joules = rapl_dram_->advance_joules();
  if (perf_ram_) reading.ram_joules = perf_ram_->advance_joules();
  accumulate(totals_, reading, setup_.model);
}

int EnergyMeter::failed_reads() const {
  int failed = 0;
  if (rapl_packages_) failed += rapl_packages_->failed_reads();
  if (rapl_dram_) failed += rapl_dram_->failed_reads();
  if (perf_package_) failed += perf_package_->failed_reads();
  if (perf_ram_) failed += perf_ram_->failed_reads();
  return failed;
}

}  // namespace greenbert
