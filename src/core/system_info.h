#pragma once
// Facts about the machine that every benchmark table and emissions row must state.
#include <cstdint>
#include <string>

namespace greenbert {

struct SystemInfo {
  std::string cpu_model;  // "Intel(R) Xeon(R) Processor"
  int logical_cpus = 0;
  int physical_cores = 0;
  std::string isa;  // best instruction set the kernels can use, e.g. "avx512_vnni+bf16+amx"
  double ram_total_gb = 0;
  std::string os;  // "Linux-6.1.0-...-x86_64-with-glibc2.36", CodeCarbon's platform string
};

SystemInfo system_info();

// Resident set size now and at its peak (VmHWM) for this process, in MiB.
double current_rss_mib();
double peak_rss_mib();

}  // namespace greenbert
