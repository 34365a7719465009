#pragma once
// The estimates used when no energy counter can be read, following CodeCarbon 3.x so that
// figures stay comparable with the study it measured (checked against CodeCarbon's source:
// codecarbon/external/hardware.py, codecarbon/core/cpu.py, codecarbon/external/ram.py).
//
// CPU, "cpu_load" mode (CPU._get_power_from_cpu_load):
//   machine tracking: P = TDP x (0.1 + 0.9 x load^3), load = whole-machine utilisation in [0, 1]
//   process tracking: P = TDP x share, share = CPU time of the tracked processes divided by
//                     (wall time x logical CPUs), with no floor
// TDP (cpu.TDP, resource_tracker.py): the model's TDP from CodeCarbon's table (cpu_tdp_table.h)
// x sockets; an unknown model gets 4 W per logical CPU (DEFAULT_POWER_PER_CORE, "per thread"); an
// unreadable model 85 W (POWER_CONSTANT).
//
// RAM (ram.py): CodeCarbon 3 assumes 5 W per DIMM and guesses the DIMM count from the size, with
// less power per extra DIMM on big servers and a 10 W floor (two DIMMs); CodeCarbon 2 used 3 W per
// 8 GB. In process tracking the size is the tracked processes' resident memory.
#include <optional>
#include <string>
#include <string_view>

namespace greenbert {

double cpu_power_machine_mode(double tdp_watts, double machine_load);
double cpu_power_process_mode(double tdp_watts, double process_share);

struct AssumedTdp {
  double watts = 0;
  std::string source;  // said in every output next to the figure
};

// The TDP of the whole machine for the estimate: `override_watts` (--cpu-power) wins.
AssumedTdp assume_tdp(std::string_view cpu_model, int logical_cpus, int sockets,
                      std::optional<double> override_watts);

enum class RamModel { codecarbon_v3, codecarbon_v2 };

int estimate_dimm_count(double memory_gib);
double ram_power_codecarbon_v3(double memory_gib);
double ram_power_codecarbon_v2(double memory_gib);
double ram_power(RamModel model, double memory_gib);
std::string_view ram_model_name(RamModel model);

}  // namespace greenbert
