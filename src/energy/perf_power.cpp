#include "energy/perf_power.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/error.h"
#include "energy/kernel_files.h"

namespace greenbert {
namespace {

namespace fs = std::filesystem;

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<PerfPowerEvent> read_event(const fs::path& events, const std::string& name,
                                         std::string& problem) {
  auto config = read_kernel_attribute(events / name);
  if (!config.text) {
    problem = cat((events / name).string(), ": ", config.error);
    return std::nullopt;
  }
  auto parsed = parse_perf_event_config(*config.text);
  auto scale = read_kernel_attribute(events / (name + ".scale"));
  auto joules = scale.text ? parse_double(*scale.text) : std::nullopt;
  if (!parsed || !joules || *joules <= 0) {
    problem = cat((events / name).string(), ": cannot parse the event or its scale");
    return std::nullopt;
  }
  return PerfPowerEvent{name, *parsed, *joules};
}

// Some virtual machines expose only energy-psys (seen on a cloud H200 host): say what is there.
std::string missing_package_event(const fs::path& events) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(events, ec)) {
    auto name = entry.path().filename().string();
    if (name.find('.') == std::string::npos) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::string offered;
  for (const auto& name : names) {
    if (!offered.empty()) offered += ", ";
    offered += name;
  }
  bool psys = std::find(names.begin(), names.end(), "energy-psys") != names.end();
  return cat("no power/energy-pkg/ event (the PMU offers: ", offered.empty() ? "none" : offered,
             psys ? "; psys is the whole platform, not the CPU packages, and is not used)" : ")");
}

uint64_t read_count(int fd, bool& ok) {
  uint64_t count = 0;
  ok = ::read(fd, &count, sizeof count) == static_cast<ssize_t>(sizeof count);
  return count;
}

}  // namespace

std::optional<uint64_t> parse_perf_event_config(std::string_view text) {
  constexpr std::string_view prefix = "event=";
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  text.remove_prefix(prefix.size());
  int base = 10;
  if (text.substr(0, 2) == "0x") {
    text.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  while (!text.empty()) {
    auto comma = std::min(text.find(','), text.size());
    auto item = text.substr(0, comma);
    auto dash = item.find('-');
    auto first = parse_unsigned(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_unsigned(item.substr(dash + 1));
    if (!first || !last || *last < *first) return std::nullopt;
    for (uint64_t cpu = *first; cpu <= *last; ++cpu) cpus.push_back(static_cast<int>(cpu));
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  if (cpus.empty()) return std::nullopt;
  return cpus;
}

PerfPowerPmu discover_perf_power(const fs::path& sysfs_root) {
  PerfPowerPmu pmu;
  const fs::path device = sysfs_root / "bus" / "event_source" / "devices" / "power";
  std::error_code ec;
  if (!fs::is_directory(device, ec)) {
    pmu.unavailable = cat(device.string(), " not present (the kernel has no RAPL perf PMU here)");
    return pmu;
  }
  auto type = read_kernel_attribute(device / "type");
  auto parsed_type = type.text ? parse_unsigned(*type.text) : std::nullopt;
  auto mask = read_kernel_attribute(device / "cpumask");
  auto cpus = mask.text ? parse_cpu_list(*mask.text) : std::nullopt;
  if (!parsed_type || !cpus) {
    pmu.unavailable = cat(device.string(), ": cannot read its type or cpumask");
    return pmu;
  }
  pmu.type = static_cast<uint32_t>(*parsed_type);
  pmu.cpus = *cpus;
  std::string problem;
  pmu.package = read_event(device / "events", "energy-pkg", problem);
  if (!pmu.package)
    pmu.unavailable = fs::exists(device / "events" / "energy-pkg", ec)
                          ? problem
                          : missing_package_event(device / "events");
  std::string ram_problem;
  pmu.ram = read_event(device / "events", "energy-ram", ram_problem);
  return pmu;
}

PerfEnergyCounters::PerfEnergyCounters(const PerfPowerPmu& pmu, const PerfPowerEvent& event,
                                       const fs::path& proc_root)
    : joules_per_count_(event.joules_per_count) {
  for (int cpu : pmu.cpus) {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = pmu.type;
    attr.config = event.config;
    // System-wide on one CPU of the package: pid -1. The power PMU rejects exclusion flags.
    long fd = ::syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
      int saved = errno;
      for (int open_fd : fds_) ::close(open_fd);
      auto paranoid = read_kernel_attribute(proc_root / "sys" / "kernel" / "perf_event_paranoid");
      fail("perf_event_open(power/", event.name, "/, cpu ", cpu, "): ", std::strerror(saved),
           paranoid.text ? cat(" (kernel.perf_event_paranoid=", *paranoid.text,
                               "; system-wide counters need <= 0 or CAP_PERFMON)")
                         : std::string());
    }
    fds_.push_back(static_cast<int>(fd));
  }
  for (int fd : fds_) {
    bool ok = false;
    last_counts_.push_back(read_count(fd, ok));
    if (!ok) ++failed_reads_;
  }
}

PerfEnergyCounters::~PerfEnergyCounters() {
  for (int fd : fds_) ::close(fd);
}

double PerfEnergyCounters::advance_joules() {
  uint64_t counts = 0;
  for (size_t i = 0; i < fds_.size(); ++i) {
    bool ok = false;
    uint64_t now = read_count(fds_[i], ok);
    if (!ok) {
      ++failed_reads_;
      continue;
    }
    counts += now - last_counts_[i];
    last_counts_[i] = now;
  }
  return static_cast<double>(counts) * joules_per_count_;
}

}  // namespace greenbert
