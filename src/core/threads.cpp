#include "core/threads.h"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "core/error.h"

namespace greenbert {

int physical_core_count() {
  // Count distinct (physical id, core id) pairs; fall back to the logical count.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, physical = "0";
  while (std::getline(cpuinfo, line)) {
    auto value =
        line.substr(line.find(':') == std::string::npos ? line.size() : line.find(':') + 1);
    if (line.rfind("physical id", 0) == 0) physical = value;
    if (line.rfind("core id", 0) == 0) cores.emplace(physical, value);
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  return logical_cpu_count();
}

int logical_cpu_count() {
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<int>(online) : 1;
}

int max_thread_count() {
  return std::min(4 * logical_cpu_count(), 1024);
}

std::string thread_count_problem(long long threads, const char* what) {
  const std::string value = *what != '\0' ? cat(what, " ", threads) : std::to_string(threads);
  if (threads < 0) return cat(value, " is negative (0 means the physical cores)");
  if (threads <= max_thread_count()) return "";
  return cat(value, " is more than ", max_thread_count(),
             ", the most greenbert uses on this machine (4 x its ", logical_cpu_count(),
             " logical CPUs, at most 1024): more threads than cores only cost memory");
}

int set_thread_count(int threads) {
  if (const std::string problem = thread_count_problem(threads, "thread count"); !problem.empty())
    fail(problem);
  if (threads == 0) threads = physical_core_count();
  omp_set_num_threads(threads);
  return threads;
}

}  // namespace greenbert
