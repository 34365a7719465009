#pragma once
// Thermal design power of common CPU models, for the estimate used when no energy counter can be
// read. A small hand-made table (see cpu_tdp_table.cpp for the source); unknown models fall back
// to CodeCarbon's rule (cpu_power_model.h).
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace greenbert {

struct CpuTdp {
  std::string_view model;  // vendor's marketing name, "Intel Xeon Gold 6248"
  double watts;            // TDP (Intel: "TDP" or "Processor Base Power"; AMD: "Default TDP")
};

std::span<const CpuTdp> cpu_tdp_table();

// Matches the /proc/cpuinfo "model name" against the table after normalising both (case,
// (R)/(TM), "CPU", "Processor", "N-Core", "@ 2.50GHz", "12th Gen", "with Radeon Graphics").
// Exact equality after normalising, so "Gold 6248" never matches "Gold 6248R".
std::optional<CpuTdp> find_cpu_tdp(std::string_view cpu_model);

std::string normalize_cpu_model(std::string_view cpu_model);

}  // namespace greenbert
