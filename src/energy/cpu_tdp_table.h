#pragma once
// Thermal design power of CPU models, for the estimate used when no energy counter can be read:
// CodeCarbon's own table (cpu_power.csv), generated into cpu_tdp_table_data.cpp by
// scripts/generate_energy_tables.py, and CodeCarbon's way of finding a brand string in it
// (TDP._get_matching_cpu in codecarbon/core/cpu.py), so that greenbert assumes the TDP
// CodeCarbon would. Unknown models fall back to CodeCarbon's rule (power_models.h).
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace greenbert {

struct CpuTdp {
  std::string_view model;  // as CodeCarbon's table spells it: "Intel Xeon Gold 6248"
  double watts;
};

std::span<const CpuTdp> cpu_tdp_table();
extern const char* const kCpuTdpTableSource;  // "CodeCarbon 3.3.0 cpu_power.csv"

struct CpuTdpMatch {
  std::optional<CpuTdp> tdp;  // empty: CodeCarbon would not know this CPU either
  std::string how;            // how it matched, or why nothing did
};

// Finds the /proc/cpuinfo "model name" (`brand`) in the table as CodeCarbon does, first step
// that finds something wins:
//   1. the same name, ignoring case;
//   2. the same after dropping "(R)", everything from " CPU @ ", " CPU", and " @ 2.50GHz";
//   3. the one table name whose words (lower case, split at anything not a letter or digit) are
//      all among the brand's, or include all of the brand's. Two or more such names: no match.
// So "AMD EPYC 7543 32-Core Processor" finds "AMD EPYC 7543", while a bare "AMD EPYC" (virtual
// machines hide the model) is ambiguous and unknown. Non-ASCII bytes count as separators, as
// every non-ASCII character in the table is (®, no-break and zero-width spaces).
CpuTdpMatch match_cpu_tdp(std::string_view brand);

}  // namespace greenbert
