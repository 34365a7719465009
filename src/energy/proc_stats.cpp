#include "energy/proc_stats.h"

#include <unistd.h>

#include <charconv>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "energy/kernel_files.h"

namespace greenbert {
namespace {

constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < text.size()) {
    at = text.find_first_not_of(" \t\n", at);
    if (at == std::string_view::npos) break;
    size_t end = std::min(text.find_first_of(" \t\n", at), text.size());
    fields.push_back(text.substr(at, end - at));
    at = end;
  }
  return fields;
}

// Kernel counters printed as signed (cutime, cstime) are never negative in practice; a
// negative one is treated as 0 rather than wrapping.
std::optional<uint64_t> parse_counter(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value < 0 ? 0 : static_cast<uint64_t>(value);
}

}  // namespace

std::optional<CpuTicks> parse_proc_stat(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  auto fields = split_spaces(line);
  if (fields.size() < 5 || fields[0] != "cpu") return std::nullopt;
  uint64_t values[10] = {};
  for (size_t i = 1; i < fields.size() && i <= 10; ++i) {
    auto value = parse_counter(fields[i]);
    if (!value) return std::nullopt;
    values[i - 1] = *value;
  }
  const auto& [user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice] = values;
  (void)guest;
  (void)guest_nice;
  CpuTicks ticks;
  ticks.busy = user + nice + system + irq + softirq + steal;
  ticks.total = ticks.busy + idle + iowait;
  return ticks;
}

std::optional<double> utilisation_between(const CpuTicks& before, const CpuTicks& after) {
  if (after.total <= before.total) return std::nullopt;
  double busy = after.busy >= before.busy ? static_cast<double>(after.busy - before.busy) : 0.0;
  return std::min(1.0, busy / static_cast<double>(after.total - before.total));
}

std::optional<PidStat> parse_pid_stat(std::string_view text) {
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  auto pid = parse_counter(text.substr(0, open - (open > 0 ? 1 : 0)));
  // Fields after the name, numbered from "state" = 0.
  auto fields = split_spaces(text.substr(close + 1));
  if (!pid || fields.size() < 22) return std::nullopt;
  auto ppid = parse_counter(fields[1]);
  uint64_t ticks = 0;
  for (int i : {11, 12, 13, 14}) {
    auto value = parse_counter(fields[static_cast<size_t>(i)]);
    if (!value) return std::nullopt;
    ticks += *value;
  }
  auto rss = parse_counter(fields[21]);
  if (!ppid || !rss) return std::nullopt;
  return PidStat{static_cast<int>(*pid), static_cast<int>(*ppid), ticks, *rss};
}

std::optional<MemoryInfo> parse_meminfo(std::string_view text) {
  std::optional<uint64_t> total_kib, available_kib;
  std::istringstream lines{std::string(text)};
  std::string key, unit;
  uint64_t value = 0;
  while (lines >> key >> value) {
    std::getline(lines, unit);
    if (key == "MemTotal:") total_kib = value;
    if (key == "MemAvailable:") available_kib = value;
  }
  if (!total_kib || !available_kib || *total_kib == 0) return std::nullopt;
  MemoryInfo info;
  info.total_gib = static_cast<double>(*total_kib) * 1024.0 / kBytesPerGib;
  info.used_gib = static_cast<double>(*total_kib - std::min(*available_kib, *total_kib)) * 1024.0 /
                  kBytesPerGib;
  return info;
}

ProcessTreeUsage process_tree_usage(const std::filesystem::path& proc_root, int pid) {
  std::map<int, PidStat> stats;
  std::multimap<int, int> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(proc_root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto text = read_kernel_attribute(entry.path() / "stat");
    if (!text.text) continue;  // exited while we looked
    if (auto stat = parse_pid_stat(*text.text)) {
      stats[stat->pid] = *stat;
      children.emplace(stat->ppid, stat->pid);
    }
  }
  ProcessTreeUsage usage;
  static const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const double page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::vector<int> pending{pid};
  while (!pending.empty()) {
    int current = pending.back();
    pending.pop_back();
    auto found = stats.find(current);
    if (found == stats.end()) continue;
    usage.cpu_seconds += static_cast<double>(found->second.cpu_ticks) / ticks_per_second;
    usage.rss_gib += static_cast<double>(found->second.rss_pages) * page_bytes / kBytesPerGib;
    ++usage.processes;
    auto [first, last] = children.equal_range(current);
    for (auto it = first; it != last; ++it) pending.push_back(it->second);
  }
  return usage;
}

}  // namespace greenbert
