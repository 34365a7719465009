#include "energy/rapl.h"

#include <algorithm>
#include <map>
#include <optional>

#include "core/error.h"
#include "energy/kernel_files.h"

namespace greenbert {
namespace {

namespace fs = std::filesystem;

// A powercap zone such as intel-rapl:0:2 = sub-zone 2 of zone 0 of the intel-rapl control type.
struct Zone {
  std::string id;
  std::string control;
  std::vector<int> indices;
  std::string name;
  fs::path dir;
  bool mmio() const { return control == "intel-rapl-mmio"; }
};

std::optional<Zone> parse_zone(const fs::path& dir) {
  std::string id = dir.filename().string();
  auto colon = id.find(':');
  if (colon == std::string::npos) return std::nullopt;
  Zone zone{id, id.substr(0, colon), {}, "", dir};
  if (zone.control != "intel-rapl" && zone.control != "intel-rapl-mmio" &&
      zone.control != "amd-rapl")
    return std::nullopt;
  std::string rest = id.substr(colon + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = std::min(rest.find(':', start), rest.size());
    auto index = parse_unsigned(std::string_view(rest).substr(start, end - start));
    if (!index) return std::nullopt;
    zone.indices.push_back(static_cast<int>(*index));
    start = end + 1;
  }
  auto name = read_kernel_attribute(dir / "name");
  zone.name = name.text.value_or(id);
  return zone;
}

// The counter of a zone, or why it cannot be used.
struct Readable {
  std::optional<EnergyCounter> counter;
  std::string problem;
};

Readable read_counter(const Zone& zone, const std::string& label) {
  auto energy = read_kernel_attribute(zone.dir / "energy_uj");
  if (!energy.text)
    return {std::nullopt, cat((zone.dir / "energy_uj").string(), ": ", energy.error)};
  if (!parse_unsigned(*energy.text))
    return {std::nullopt,
            cat((zone.dir / "energy_uj").string(), ": not a counter: '", *energy.text, "'")};
  auto range = read_kernel_attribute(zone.dir / "max_energy_range_uj");
  auto wrap = range.text ? parse_unsigned(*range.text) : std::nullopt;
  if (!wrap || *wrap == 0)
    return {std::nullopt, cat((zone.dir / "max_energy_range_uj").string(),
                              ": unreadable, so wrap-around cannot be handled")};
  return {EnergyCounter{label, zone.dir / "energy_uj", *wrap}, ""};
}

std::string permission_hint(const std::string& problem) {
  if (problem.find("Permission denied") == std::string::npos) return "";
  return " (energy_uj is readable by root only since Linux 5.10; "
         "`sudo chmod a+r /sys/class/powercap/*/energy_uj` allows measuring)";
}

// Among several views of one domain, the first readable one; MMIO first as CodeCarbon does
// (both views read the same hardware counter).
Readable pick_view(std::vector<const Zone*> views, const std::string& key, RaplDomains& out) {
  std::stable_sort(views.begin(), views.end(),
                   [](const Zone* a, const Zone* b) { return a->mmio() && !b->mmio(); });
  Readable chosen;
  std::string problems;
  for (const Zone* zone : views) {
    auto readable = read_counter(*zone, cat(key, " (", zone->id, ")"));
    if (readable.counter && !chosen.counter) {
      chosen = readable;
    } else if (readable.counter) {
      out.notes.push_back(cat(zone->id, " (", zone->name, ") is another view of ",
                              chosen.counter->label, "; counted once"));
    } else {
      if (!problems.empty()) problems += "; ";
      problems += readable.problem;
    }
  }
  if (!chosen.counter) {
    chosen.problem = problems + permission_hint(problems);
  } else if (!problems.empty()) {
    out.notes.push_back(
        cat("used ", chosen.counter->label, "; other views unreadable: ", problems));
  }
  return chosen;
}

// AMD's amd_energy hwmon driver (Linux 5.8 to 5.12): energyN_input in microjoules, labelled
// Esocket<N> for packages and Ecore<N> for cores; it accumulates in 64 bits, so no wrap.
std::vector<EnergyCounter> amd_energy_sockets(const fs::path& hwmon_root,
                                              std::vector<std::string>& notes) {
  std::vector<EnergyCounter> sockets;
  std::error_code ec;
  if (!fs::is_directory(hwmon_root, ec)) return sockets;
  for (const auto& entry : fs::directory_iterator(hwmon_root, ec)) {
    auto name = read_kernel_attribute(entry.path() / "name");
    if (name.text != "amd_energy") continue;
    for (int i = 1; fs::exists(entry.path() / cat("energy", i, "_input")); ++i) {
      auto label = read_kernel_attribute(entry.path() / cat("energy", i, "_label"));
      if (!label.text || label.text->rfind("Esocket", 0) != 0) continue;
      auto input = entry.path() / cat("energy", i, "_input");
      auto value = read_kernel_attribute(input);
      if (!value.text || !parse_unsigned(*value.text)) {
        notes.push_back(cat(input.string(), ": ", value.text ? "not a counter" : value.error));
        continue;
      }
      sockets.push_back({cat(*label.text, " (amd_energy)"), input, 0});
    }
  }
  return sockets;
}

}  // namespace

uint64_t counter_delta_uj(uint64_t before, uint64_t after, uint64_t wrap_uj) {
  if (after >= before) return after - before;
  if (wrap_uj > before) return wrap_uj - before + after;
  return after;
}

RaplDomains discover_rapl(const fs::path& sysfs_root) {
  RaplDomains out;
  const fs::path powercap = sysfs_root / "class" / "powercap";
  std::vector<Zone> zones;
  std::error_code ec;
  if (fs::is_directory(powercap, ec)) {
    for (const auto& entry : fs::directory_iterator(powercap, ec)) {
      if (auto zone = parse_zone(entry.path())) zones.push_back(std::move(*zone));
    }
  }
  std::sort(zones.begin(), zones.end(), [](const Zone& a, const Zone& b) { return a.id < b.id; });

  auto parent_of = [&](const Zone& sub) -> const Zone* {
    for (const Zone& zone : zones) {
      if (zone.control == sub.control && zone.indices.size() == 1 &&
          zone.indices[0] == sub.indices[0])
        return &zone;
    }
    return nullptr;
  };

  // Views of each domain, keyed by what they measure ("package-0", "package-0/dram").
  std::map<std::string, std::vector<const Zone*>> package_views, dram_views;
  for (const Zone& zone : zones) {
    if (zone.indices.size() == 1) {
      if (zone.name.rfind("package", 0) == 0) {
        package_views[zone.name].push_back(&zone);
      } else if (zone.name == "dram") {
        dram_views[zone.name].push_back(&zone);
      } else if (zone.name == "psys") {
        out.notes.push_back(
            cat(zone.id, " (psys) not used: it is the whole platform, not the CPU"));
      } else {
        out.notes.push_back(cat(zone.id, " (", zone.name, ") not used: unknown zone"));
      }
      continue;
    }
    const Zone* parent = parent_of(zone);
    std::string parent_name = parent ? parent->name : cat(zone.control, ":", zone.indices[0]);
    if (zone.name == "dram") {
      dram_views[cat(parent_name, "/dram")].push_back(&zone);
    } else {
      out.notes.push_back(cat(zone.id, " (", zone.name, ") is part of ", parent_name,
                              "; not added to the package total"));
    }
  }

  for (const auto& [key, views] : package_views) {
    auto chosen = pick_view(views, key, out);
    if (!chosen.counter) {
      out.unavailable = cat("RAPL ", key, " cannot be read: ", chosen.problem);
      out.packages.clear();
      break;
    }
    out.packages.push_back(*chosen.counter);
  }
  for (const auto& [key, views] : dram_views) {
    auto chosen = pick_view(views, key, out);
    if (chosen.counter) {
      out.dram.push_back(*chosen.counter);
    } else {
      out.notes.push_back(cat("DRAM ", key, " not used: ", chosen.problem));
    }
  }
  if (!out.unavailable.empty()) {
    out.dram.clear();
    return out;
  }

  auto amd = amd_energy_sockets(sysfs_root / "class" / "hwmon", out.notes);
  if (!out.packages.empty()) {
    for (const auto& socket : amd)
      out.notes.push_back(cat(socket.label, " is another view of the RAPL packages; not added"));
  } else {
    out.packages = std::move(amd);
  }
  if (out.packages.empty()) {
    out.dram.clear();
    out.unavailable = fs::is_directory(powercap, ec)
                          ? cat("no RAPL package zone under ", powercap.string())
                          : cat(powercap.string(), " not present");
  }
  return out;
}

EnergyCounterSet::EnergyCounterSet(std::vector<EnergyCounter> counters)
    : counters_(std::move(counters)), last_uj_(counters_.size(), 0) {
  for (size_t i = 0; i < counters_.size(); ++i) {
    auto value = read_kernel_attribute(counters_[i].energy_file);
    auto parsed = value.text ? parse_unsigned(*value.text) : std::nullopt;
    if (!parsed) fail(counters_[i].energy_file.string(), ": cannot read the energy counter");
    last_uj_[i] = *parsed;
  }
}

double EnergyCounterSet::advance_joules() {
  uint64_t total_uj = 0;
  for (size_t i = 0; i < counters_.size(); ++i) {
    auto value = read_kernel_attribute(counters_[i].energy_file);
    auto parsed = value.text ? parse_unsigned(*value.text) : std::nullopt;
    if (!parsed) {
      ++failed_reads_;
      continue;
    }
    total_uj += counter_delta_uj(last_uj_[i], *parsed, counters_[i].wrap_uj);
    last_uj_[i] = *parsed;
  }
  return static_cast<double>(total_uj) * 1e-6;
}

}  // namespace greenbert
