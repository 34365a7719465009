#include "energy/power_models.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "energy/cpu_tdp_table.h"

namespace greenbert {

double cpu_power_machine_mode(double tdp_watts, double machine_load) {
  double load = std::clamp(machine_load, 0.0, 1.0);
  return tdp_watts * (0.1 + 0.9 * load * load * load);
}

double cpu_power_process_mode(double tdp_watts, double process_share) {
  return tdp_watts * std::clamp(process_share, 0.0, 1.0);
}

AssumedTdp assume_tdp(std::string_view cpu_model, int logical_cpus, int sockets,
                      std::optional<double> override_watts) {
  if (override_watts) return {*override_watts, cat("--cpu-power ", *override_watts, " W")};
  if (cpu_model.empty())
    return {85.0, "CPU model unreadable: CodeCarbon's generic constant (85 W)"};
  const CpuTdpMatch match = match_cpu_tdp(cpu_model);
  if (match.tdp) {
    int count = std::max(sockets, 1);
    return {match.tdp->watts * count,
            cat(kCpuTdpTableSource, ": ", match.tdp->model, " ", match.tdp->watts, " W (",
                match.how, ")", count > 1 ? cat(" x ", count, " sockets") : std::string())};
  }
  // CodeCarbon 3.x also multiplies this by the socket count, counting the threads of every
  // socket once per socket; greenbert does not.
  return {4.0 * logical_cpus, cat("unknown model: ", match.how,
                                  "; CodeCarbon's default 4 W per "
                                  "thread x ",
                                  logical_cpus, " threads")};
}

int estimate_dimm_count(double memory_gib) {
  if (memory_gib <= 2) return 1;
  if (memory_gib <= 16) return 2;
  if (memory_gib <= 64) return 4;
  if (memory_gib <= 128) return 8;
  // Large servers: the biggest common DIMM size that still gives at least 8 DIMMs, at most 32.
  for (double dimm_gib : {128.0, 64.0, 32.0, 16.0, 8.0, 4.0}) {
    if (dimm_gib <= memory_gib / 8)
      return std::min(static_cast<int>(std::ceil(memory_gib / dimm_gib)), 32);
  }
  return 8;
}

double ram_power_codecarbon_v3(double memory_gib) {
  // x86 figures; CodeCarbon uses 1.5 W per DIMM and a 3 W floor on ARM, which greenbert's AVX
  // kernels never run on.
  constexpr double kWattsPerDimm = 5.0;
  const int dimms = estimate_dimm_count(memory_gib);
  // Full power for the first 4 DIMMs, then 90%, 80% and 70% per extra DIMM in tiers.
  const double tiers[][2] = {{4, 1.0}, {8, 0.9}, {16, 0.8}, {1e9, 0.7}};
  double watts = 0;
  int counted = 0;
  for (const auto& [upto, factor] : tiers) {
    int in_tier = std::min(dimms, static_cast<int>(upto)) - counted;
    if (in_tier <= 0) break;
    watts += kWattsPerDimm * factor * in_tier;
    counted += in_tier;
  }
  return std::max(watts, 2 * kWattsPerDimm);
}

double ram_power_codecarbon_v2(double memory_gib) {
  return 3.0 * memory_gib / 8.0;
}

double ram_power(RamModel model, double memory_gib) {
  return model == RamModel::codecarbon_v3 ? ram_power_codecarbon_v3(memory_gib)
                                          : ram_power_codecarbon_v2(memory_gib);
}

std::string_view ram_model_name(RamModel model) {
  return model == RamModel::codecarbon_v3 ? "codecarbon-v3" : "codecarbon-v2";
}

}  // namespace greenbert
