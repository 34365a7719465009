#pragma once
// CPU load and memory from /proc, as the estimate needs them: whole-machine utilisation
// (/proc/stat, the same arithmetic as psutil.cpu_percent, which CodeCarbon uses), the CPU time and
// resident memory of a process tree (/proc/<pid>/stat), and memory totals (/proc/meminfo).
// Parsers take text so tests can feed them hand-written files.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace greenbert {

struct CpuTicks {
  uint64_t busy = 0;   // user + nice + system + irq + softirq + steal
  uint64_t total = 0;  // busy + idle + iowait (guest time is already inside user and nice)
};

// The aggregate "cpu" line of /proc/stat.
std::optional<CpuTicks> parse_proc_stat(std::string_view text);
// Utilisation in [0, 1] between two readings; nullopt when no tick elapsed.
std::optional<double> utilisation_between(const CpuTicks& before, const CpuTicks& after);

struct PidStat {
  int pid = 0;
  int ppid = 0;
  uint64_t cpu_ticks = 0;  // utime + stime + cutime + cstime (children it has waited for)
  uint64_t rss_pages = 0;
};

// One /proc/<pid>/stat line (the command name may contain spaces and parentheses).
std::optional<PidStat> parse_pid_stat(std::string_view text);

struct MemoryInfo {
  double total_gib = 0;
  double used_gib = 0;  // total - available, as psutil's "percent" counts it
};

std::optional<MemoryInfo> parse_meminfo(std::string_view text);

struct ProcessTreeUsage {
  double cpu_seconds = 0;  // the process, its live descendants, and the children it reaped
  double rss_gib = 0;      // resident memory of the live processes
  int processes = 0;
};

// Usage of `pid` and all its descendants under `proc_root`. A cumulative counter: a child's time
// moves from its own entry into its parent's cutime when it is reaped, so the sum stays
// continuous (CodeCarbon's process mode loses each child's first and last interval).
ProcessTreeUsage process_tree_usage(const std::filesystem::path& proc_root, int pid);

}  // namespace greenbert
