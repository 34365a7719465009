#pragma once
// The same RAPL hardware counters read through perf_event_open(2) with the kernel's "power" PMU
// (power/energy-pkg/, power/energy-ram/). This works where the powercap files are root-only but
// perf is allowed (kernel.perf_event_paranoid <= 0, or CAP_PERFMON). The kernel accumulates these
// counters in 64 bits, so they never wrap in practice.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greenbert {

struct PerfPowerEvent {
  std::string name;             // "energy-pkg"
  uint64_t config = 0;          // from events/<name>: "event=0x02"
  double joules_per_count = 0;  // from events/<name>.scale
};

struct PerfPowerPmu {
  uint32_t type = 0;      // dynamic PMU type from .../power/type
  std::vector<int> cpus;  // .../power/cpumask: one CPU per package to open the counters on
  std::optional<PerfPowerEvent> package;
  std::optional<PerfPowerEvent> ram;
  std::string unavailable;  // why the package counter cannot be used; empty when it can
};

// Reads <sysfs_root>/bus/event_source/devices/power.
PerfPowerPmu discover_perf_power(const std::filesystem::path& sysfs_root);

// "event=0x02" -> 2 (the power PMU's events have no other terms).
std::optional<uint64_t> parse_perf_event_config(std::string_view text);
// A kernel CPU list, "0", "0,28", "0-3,8".
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);

// One open counter per package CPU. advance_joules() returns the joules counted since the
// previous call (or since opening).
class PerfEnergyCounters {
 public:
  // Throws greenbert::Error saying why the kernel refused (permission, paranoid level...).
  // `proc_root` is only used to quote kernel.perf_event_paranoid in that message.
  PerfEnergyCounters(const PerfPowerPmu& pmu, const PerfPowerEvent& event,
                     const std::filesystem::path& proc_root);
  ~PerfEnergyCounters();
  PerfEnergyCounters(const PerfEnergyCounters&) = delete;
  PerfEnergyCounters& operator=(const PerfEnergyCounters&) = delete;

  double advance_joules();
  int failed_reads() const { return failed_reads_; }

 private:
  std::vector<int> fds_;
  std::vector<uint64_t> last_counts_;
  double joules_per_count_;
  int failed_reads_ = 0;
};

}  // namespace greenbert
