#pragma once
// RAPL energy counters through the kernel's powercap sysfs (intel-rapl, intel-rapl-mmio and
// amd-rapl zones; Linux exposes AMD's RAPL as intel-rapl since 5.8) and, where the powercap
// view is absent, AMD's older amd_energy hwmon driver.
//
// What is counted: the package zones, each physical package once. The same package can appear
// twice (intel-rapl:0 and intel-rapl-mmio:0 are two views of one counter); core, uncore and the
// DRAM sub-zones are parts or neighbours of a package and are never added into its total. DRAM is
// reported separately when the machine exposes it. psys (the whole platform) is not used: it is
// more than the CPU and would not be comparable with CodeCarbon's package figures.
//
// The sysfs root is a parameter so tests run against a fake tree in a temp directory.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace greenbert {

// One cumulative energy counter in microjoules.
struct EnergyCounter {
  std::string label;                  // "package-0 (intel-rapl:0)"
  std::filesystem::path energy_file;  // energy_uj or energyN_input
  uint64_t wrap_uj = 0;               // max_energy_range_uj: the counter restarts from 0 after it;
                                      // 0 for counters that never wrap (64-bit accumulators)
};

struct RaplDomains {
  std::vector<EnergyCounter> packages;
  std::vector<EnergyCounter> dram;
  std::vector<std::string> notes;  // every zone seen and not counted, with the reason
  std::string unavailable;         // why the packages cannot be measured; empty when they can
};

RaplDomains discover_rapl(const std::filesystem::path& sysfs_root);

// Energy between two readings of a counter that restarts from 0 after `wrap_uj`. Sampling at
// ~1 Hz keeps at most one wrap between readings (the smallest ranges last minutes at full
// power). A counter without a range that goes backwards was reset; `after` is what it counted
// since.
uint64_t counter_delta_uj(uint64_t before, uint64_t after, uint64_t wrap_uj);

// Reads a fixed set of counters; each advance() returns the joules summed over all of them since
// the previous call (the first baseline is taken by the constructor). A failed read (a counter
// that disappeared) contributes nothing and is counted, so the output can say so.
class EnergyCounterSet {
 public:
  explicit EnergyCounterSet(std::vector<EnergyCounter> counters);
  double advance_joules();
  int failed_reads() const { return failed_reads_; }
  const std::vector<EnergyCounter>& counters() const { return counters_; }

 private:
  std::vector<EnergyCounter> counters_;
  std::vector<uint64_t> last_uj_;
  int failed_reads_ = 0;
};

}  // namespace greenbert
