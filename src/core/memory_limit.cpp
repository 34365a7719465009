#include "core/memory_limit.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/error.h"

namespace greenbert {
namespace {

// This process's cgroup v2 memory.max in bytes; 0 when there is none or it is "max".
uint64_t cgroup_limit() {
  std::ifstream cgroup("/proc/self/cgroup");
  std::string line;
  while (std::getline(cgroup, line)) {
    if (!line.starts_with("0::")) continue;
    std::ifstream max("/sys/fs/cgroup" + line.substr(3) + "/memory.max");
    unsigned long long bytes = 0;
    if (max >> bytes) return bytes;
  }
  return 0;
}

void lower(MemoryLimit& limit, uint64_t bytes, const char* source) {
  if (bytes > 0 && bytes < limit.bytes) limit = {bytes, source};
}

}  // namespace

MemoryLimit memory_limit() {
  MemoryLimit limit{static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                        static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)),
                    "physical memory"};
  for (const auto& [resource, source] :
       {std::pair{RLIMIT_AS, "ulimit -v"}, std::pair{RLIMIT_DATA, "ulimit -d"}}) {
    rlimit r{};
    if (::getrlimit(resource, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
      lower(limit, r.rlim_cur, source);
  }
  lower(limit, cgroup_limit(), "cgroup memory.max");
  return limit;
}

std::string format_bytes(uint64_t bytes) {
  char text[32];
  const double gib = static_cast<double>(bytes) / (1ULL << 30);
  if (gib >= 1)
    std::snprintf(text, sizeof text, "%.1f GiB", gib);
  else
    std::snprintf(text, sizeof text, "%.0f MiB", static_cast<double>(bytes) / (1ULL << 20));
  return text;
}

void check_fits_in_memory(uint64_t bytes, std::string_view what) {
  const MemoryLimit limit = memory_limit();
  if (bytes > limit.bytes)
    fail(what, " needs ", format_bytes(bytes), ", more than the ", format_bytes(limit.bytes),
         " this process may use (", limit.source, ")");
}

}  // namespace greenbert
