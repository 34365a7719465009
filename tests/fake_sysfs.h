#pragma once
// Builds fake kernel trees (sysfs powercap / hwmon / perf PMU, /proc entries) in a temp
// directory, so energy code is tested on layouts this machine does not have.
#include <filesystem>
#include <fstream>
#include <string>

namespace greenbert::testing {

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A powercap zone directory <root>/class/powercap/<id> with name, energy_uj and its range.
inline std::filesystem::path add_rapl_zone(const std::filesystem::path& sysfs_root,
                                           const std::string& id, const std::string& name,
                                           uint64_t energy_uj, uint64_t max_range_uj) {
  auto dir = sysfs_root / "class" / "powercap" / id;
  write_text(dir / "name", name + "\n");
  write_text(dir / "energy_uj", std::to_string(energy_uj) + "\n");
  write_text(dir / "max_energy_range_uj", std::to_string(max_range_uj) + "\n");
  return dir;
}

inline void set_energy_uj(const std::filesystem::path& zone, uint64_t energy_uj) {
  write_text(zone / "energy_uj", std::to_string(energy_uj) + "\n");
}

// A two-socket server as Linux shows it: packages with core/uncore/dram sub-zones, the MMIO
// duplicate of package-0, a psys zone, and the control-type directory itself.
struct TwoSocketRapl {
  std::filesystem::path package0, package1, package0_mmio, dram0, dram1, core0;
  static constexpr uint64_t kRange = 262143328850;  // a real Skylake-SP max_energy_range_uj
};

inline TwoSocketRapl make_two_socket_rapl(const std::filesystem::path& root) {
  TwoSocketRapl t;
  std::filesystem::create_directories(root / "class" / "powercap" / "intel-rapl");
  t.package0 = add_rapl_zone(root, "intel-rapl:0", "package-0", 1'000'000, TwoSocketRapl::kRange);
  t.core0 = add_rapl_zone(root, "intel-rapl:0:0", "core", 400'000, TwoSocketRapl::kRange);
  add_rapl_zone(root, "intel-rapl:0:1", "uncore", 100'000, TwoSocketRapl::kRange);
  t.dram0 = add_rapl_zone(root, "intel-rapl:0:2", "dram", 50'000, 65532610987);
  t.package1 = add_rapl_zone(root, "intel-rapl:1", "package-1", 2'000'000, TwoSocketRapl::kRange);
  t.dram1 = add_rapl_zone(root, "intel-rapl:1:0", "dram", 60'000, 65532610987);
  t.package0_mmio =
      add_rapl_zone(root, "intel-rapl-mmio:0", "package-0", 1'000'000, TwoSocketRapl::kRange);
  add_rapl_zone(root, "intel-rapl:2", "psys", 9'000'000, TwoSocketRapl::kRange);
  return t;
}

}  // namespace greenbert::testing
