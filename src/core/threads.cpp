#include "core/threads.h"

#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <latch>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

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

namespace {

// "unlimited" or the limit's value, in the unit ulimit shows.
std::string limit_text(int resource, uint64_t unit) {
  rlimit r{};
  if (::getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return "unlimited";
  return std::to_string(r.rlim_cur / unit);
}

// libgomp ends the process ("libgomp: Thread creation failed") when it cannot start its threads
// (a low ulimit -u, a ulimit -v that their stacks do not fit in): starting as many threads here
// first, all alive at once as libgomp's are, turns that into an error that names the limits.
void check_threads_can_start(int threads) {
  std::latch release(1);
  std::vector<std::thread> started;
  std::string problem;
  try {
    for (int i = 1; i < threads; ++i) started.emplace_back([&release] { release.wait(); });
  } catch (const std::system_error& e) {
    problem = e.code().message();
  }
  release.count_down();
  for (auto& thread : started) thread.join();
  if (!problem.empty())
    fail("cannot start ", threads, " threads (", problem,
         "): a limit is reached: processes and threads (ulimit -u ", limit_text(RLIMIT_NPROC, 1),
         "), memory (ulimit -v ", limit_text(RLIMIT_AS, 1024),
         " KiB) or each thread's stack "
         "(ulimit -s ",
         limit_text(RLIMIT_STACK, 1024), " KiB); use fewer --threads");
}

}  // namespace

int set_thread_count(int threads) {
  if (const std::string problem = thread_count_problem(threads, "thread count"); !problem.empty())
    fail(problem);
  if (threads == 0) threads = physical_core_count();
  check_threads_can_start(threads);
  omp_set_num_threads(threads);
  return threads;
}

}  // namespace greenbert
