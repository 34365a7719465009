#pragma once
// Picks the best energy source this machine allows and reads it:
//   1. RAPL counters through powercap sysfs (rapl.h)        -> "rapl", measured
//   2. the same counters through perf_event_open (perf_power.h) -> "perf", measured
//   3. CodeCarbon 3.x's load x TDP estimate (power_models.h)  -> "estimated"
// and says why each better source was not used. RAM is measured by DRAM counters when the
// machine has them, estimated by CodeCarbon's model otherwise. `--cpu-power` forces the
// estimate, as CodeCarbon's force_cpu_power does.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "energy/energy_ledger.h"
#include "energy/energy_options.h"
#include "energy/power_models.h"
#include "energy/proc_stats.h"

namespace greenbert {

class EnergyCounterSet;
class PerfEnergyCounters;

enum class EnergyMethod { rapl, perf, estimated };
std::string_view energy_method_name(EnergyMethod method);  // "rapl", "perf", "estimated"

// What will be measured and how: printed by `greenbert energy info`, written to the sidecar.
struct MeterSetup {
  EnergyMethod method = EnergyMethod::estimated;
  std::vector<std::string> not_used;  // "RAPL: /sys/class/powercap not present", "perf: ..."
  std::vector<std::string> notes;     // zones seen and not counted
  std::string cpu_detail;             // how the CPU figure is obtained
  bool ram_measured = false;
  std::string ram_detail;
  std::string cpu_model;
  int logical_cpus = 0;
  int sockets = 1;
  double ram_total_gib = 0;
  AssumedTdp tdp;    // the estimate's assumption; unused when a counter measures the CPU
  PowerModel model;  // what the ledger applies to unmeasured components
};

class EnergyMeter {
 public:
  // Chooses the source and takes the baseline readings.
  explicit EnergyMeter(const EnergyOptions& options);
  ~EnergyMeter();
  EnergyMeter(const EnergyMeter&) = delete;
  EnergyMeter& operator=(const EnergyMeter&) = delete;

  const MeterSetup& setup() const { return setup_; }
  // Reads every probe and adds the interval since the previous sample (or construction).
  void sample();
  const EnergyTotals& totals() const { return totals_; }
  // Counter reads that failed mid-run (their intervals counted nothing).
  int failed_reads() const;

 private:
  void choose_counters(const EnergyOptions& options);

  EnergyOptions options_;
  MeterSetup setup_;
  EnergyTotals totals_;
  std::unique_ptr<EnergyCounterSet> rapl_packages_, rapl_dram_;
  std::unique_ptr<PerfEnergyCounters> perf_package_, perf_ram_;
  std::chrono::steady_clock::time_point last_time_;
  CpuTicks last_ticks_;
  double last_load_ = 0;
  double last_process_cpu_seconds_ = 0;
  int pid_ = 0;
};

}  // namespace greenbert
