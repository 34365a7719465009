#include "core/system_info.h"

#include <gnu/libc-version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "core/error.h"
#include "core/threads.h"

namespace greenbert {
namespace {

std::string trim(std::string s) {
  auto begin = s.find_first_not_of(" \t");
  auto end = s.find_last_not_of(" \t\n");
  return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

double status_field_mib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0)
      return std::stod(line.substr(std::string(field).size())) / 1024.0;
  }
  return 0.0;
}

}  // namespace

SystemInfo system_info() {
  SystemInfo info;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, flags;
  while (std::getline(cpuinfo, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto key = trim(line.substr(0, colon));
    if (key == "model name" && info.cpu_model.empty())
      info.cpu_model = trim(line.substr(colon + 1));
    if (key == "flags" && flags.empty()) flags = cat(" ", line.substr(colon + 1), " ");
  }
  auto has = [&](const char* flag) { return flags.find(cat(" ", flag, " ")) != std::string::npos; };
  info.isa = has("avx512f") ? "avx512" : has("avx2") ? "avx2" : "sse";
  if (has("avx512_vnni")) info.isa += "+vnni";
  if (has("avx512_bf16")) info.isa += "+bf16";
  if (has("amx_tile")) info.isa += "+amx";
  info.logical_cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  info.physical_cores = physical_core_count();
  info.ram_total_gb = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                      static_cast<double>(::sysconf(_SC_PAGE_SIZE)) / (1024.0 * 1024.0 * 1024.0);
  utsname uts{};
  ::uname(&uts);
  info.os =
      cat(uts.sysname, "-", uts.release, "-", uts.machine, "-with-glibc", gnu_get_libc_version());
  return info;
}

double current_rss_mib() {
  return status_field_mib("VmRSS:");
}
double peak_rss_mib() {
  return status_field_mib("VmHWM:");
}

}  // namespace greenbert
