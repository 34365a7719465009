#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "energy/energy_meter.h"
#include "energy/perf_power.h"
#include "energy/rapl.h"
#include "fake_sysfs.h"
#include "support.h"

namespace greenbert {
namespace {

namespace fs = std::filesystem;

bool any_contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

EnergyOptions options_for(const fs::path& sysfs_root) {
  EnergyOptions options;
  options.sysfs_root = sysfs_root;
  return options;
}

TEST(RaplCounter, DeltaHandlesWrapAround) {
  EXPECT_EQ(counter_delta_uj(100, 250, 1000), 150u);
  // 990 -> wrap at 1000 -> 40: 10 before the wrap, 40 after.
  EXPECT_EQ(counter_delta_uj(990, 40, 1000), 50u);
  // A counter without a range that goes backwards was reset: it counted `after` since.
  EXPECT_EQ(counter_delta_uj(990, 40, 0), 40u);
}

TEST(Rapl, CountsEachPackageOnceAndDramSeparately) {
  auto root = testing::temp_dir("rapl-two-socket");
  auto tree = testing::make_two_socket_rapl(root);
  RaplDomains domains = discover_rapl(root);
  ASSERT_TRUE(domains.unavailable.empty()) << domains.unavailable;

  ASSERT_EQ(domains.packages.size(), 2u);
  // package-0 appears as intel-rapl:0 and intel-rapl-mmio:0: one counter, the MMIO view as
  // CodeCarbon picks it.
  EXPECT_EQ(domains.packages[0].energy_file, tree.package0_mmio / "energy_uj");
  EXPECT_EQ(domains.packages[1].energy_file, tree.package1 / "energy_uj");
  EXPECT_EQ(domains.packages[0].wrap_uj, testing::TwoSocketRapl::kRange);
  ASSERT_EQ(domains.dram.size(), 2u);
  EXPECT_EQ(domains.dram[0].energy_file, tree.dram0 / "energy_uj");
  EXPECT_EQ(domains.dram[1].energy_file, tree.dram1 / "energy_uj");

  EXPECT_TRUE(any_contains(domains.notes, "intel-rapl:0 (package-0) is another view"));
  EXPECT_TRUE(any_contains(domains.notes, "intel-rapl:0:0 (core) is part of package-0"));
  EXPECT_TRUE(any_contains(domains.notes, "intel-rapl:0:1 (uncore) is part of package-0"));
  EXPECT_TRUE(any_contains(domains.notes, "intel-rapl:2 (psys) not used"));
}

TEST(Rapl, CounterSetSumsPackageDeltasAcrossAWrap) {
  auto root = testing::temp_dir("rapl-wrap");
  auto tree = testing::make_two_socket_rapl(root);
  const uint64_t range = testing::TwoSocketRapl::kRange;
  testing::set_energy_uj(tree.package1, range - 3'000'000);
  EnergyCounterSet packages(discover_rapl(root).packages);

  testing::set_energy_uj(tree.package0_mmio, 1'000'000 + 7'500'000);  // +7.5 J
  testing::set_energy_uj(tree.package1, 2'000'000);  // 3 J up to the wrap, 2 J after it
  testing::set_energy_uj(tree.core0, 99'999'999);    // sub-zones never count
  EXPECT_DOUBLE_EQ(packages.advance_joules(), 7.5 + 5.0);

  testing::set_energy_uj(tree.package1, 2'250'000);
  EXPECT_DOUBLE_EQ(packages.advance_joules(), 0.25);
  EXPECT_EQ(packages.failed_reads(), 0);
}

TEST(Rapl, UnreadablePackageIsACleanFallbackThatSaysWhy) {
  auto root = testing::temp_dir("rapl-unreadable");
  auto tree = testing::make_two_socket_rapl(root);
  // Works for root too (which ignores file modes): reading a directory fails.
  fs::remove(tree.package1 / "energy_uj");
  fs::create_directory(tree.package1 / "energy_uj");
  RaplDomains domains = discover_rapl(root);
  EXPECT_TRUE(domains.packages.empty());
  EXPECT_TRUE(domains.dram.empty());
  EXPECT_NE(domains.unavailable.find((tree.package1 / "energy_uj").string()), std::string::npos)
      << domains.unavailable;

  EnergyMeter meter(options_for(root));
  EXPECT_EQ(meter.setup().method, EnergyMethod::estimated);
  ASSERT_FALSE(meter.setup().not_used.empty());
  EXPECT_EQ(meter.setup().not_used[0].rfind("RAPL: ", 0), 0u);
  EXPECT_NE(meter.setup().not_used[0].find("package-1"), std::string::npos);
}

TEST(Rapl, PermissionDeniedExplainsHowToAllowReading) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  auto root = testing::temp_dir("rapl-permission");
  auto tree = testing::make_two_socket_rapl(root);
  fs::permissions(tree.package0 / "energy_uj", fs::perms::none);
  fs::permissions(tree.package0_mmio / "energy_uj", fs::perms::none);
  RaplDomains domains = discover_rapl(root);
  EXPECT_NE(domains.unavailable.find("Permission denied"), std::string::npos);
  EXPECT_NE(domains.unavailable.find("chmod"), std::string::npos);
}

TEST(Rapl, MissingPowercapSaysSo) {
  auto root = testing::temp_dir("rapl-none");
  RaplDomains domains = discover_rapl(root);
  EXPECT_NE(domains.unavailable.find("powercap not present"), std::string::npos);
}

TEST(Rapl, AmdEnergyHwmonCountsSocketsOnly) {
  auto root = testing::temp_dir("amd-energy");
  auto hwmon = root / "class" / "hwmon" / "hwmon3";
  testing::write_text(hwmon / "name", "amd_energy\n");
  testing::write_text(hwmon / "energy1_label", "Ecore000\n");
  testing::write_text(hwmon / "energy1_input", "5000000\n");
  testing::write_text(hwmon / "energy2_label", "Esocket0\n");
  testing::write_text(hwmon / "energy2_input", "9000000\n");
  RaplDomains domains = discover_rapl(root);
  ASSERT_TRUE(domains.unavailable.empty()) << domains.unavailable;
  ASSERT_EQ(domains.packages.size(), 1u);
  EXPECT_EQ(domains.packages[0].energy_file, hwmon / "energy2_input");
  EXPECT_EQ(domains.packages[0].wrap_uj, 0u);
}

TEST(EnergyMeterRapl, MeasuresPackagesAndDramFromCounters) {
  auto root = testing::temp_dir("meter-rapl");
  auto tree = testing::make_two_socket_rapl(root);
  EnergyMeter meter(options_for(root));
  ASSERT_EQ(meter.setup().method, EnergyMethod::rapl);
  EXPECT_TRUE(meter.setup().ram_measured);
  EXPECT_NE(meter.setup().cpu_detail.find("measured"), std::string::npos);

  testing::set_energy_uj(tree.package0_mmio, 1'000'000 + 3'000'000);
  testing::set_energy_uj(tree.package1, 2'000'000 + 4'000'000);
  testing::set_energy_uj(tree.dram0, 50'000 + 500'000);
  testing::set_energy_uj(tree.dram1, 60'000 + 250'000);
  meter.sample();
  EXPECT_DOUBLE_EQ(meter.totals().cpu_joules, 7.0);
  EXPECT_DOUBLE_EQ(meter.totals().ram_joules, 0.75);
  EXPECT_EQ(meter.totals().intervals, 1);
}

TEST(EnergyMeterRapl, CpuPowerOverrideSkipsCountersAsCodeCarbonDoes) {
  auto root = testing::temp_dir("meter-override");
  testing::make_two_socket_rapl(root);
  EnergyOptions options = options_for(root);
  options.cpu_power_watts = 42;
  EnergyMeter meter(options);
  EXPECT_EQ(meter.setup().method, EnergyMethod::estimated);
  EXPECT_DOUBLE_EQ(meter.setup().tdp.watts, 42);
  EXPECT_TRUE(any_contains(meter.setup().not_used, "--cpu-power"));
}

TEST(PerfPower, ParsesEventConfigAndCpuLists) {
  EXPECT_EQ(parse_perf_event_config("event=0x02"), 2u);
  EXPECT_EQ(parse_perf_event_config("event=19"), 19u);
  EXPECT_FALSE(parse_perf_event_config("event=0x02,umask=0x1"));
  EXPECT_FALSE(parse_perf_event_config("config=2"));
  EXPECT_EQ(parse_cpu_list("0,28"), (std::vector<int>{0, 28}));
  EXPECT_EQ(parse_cpu_list("0-2,8"), (std::vector<int>{0, 1, 2, 8}));
  EXPECT_FALSE(parse_cpu_list(""));
  EXPECT_FALSE(parse_cpu_list("3-1"));
}

TEST(PerfPower, DiscoversTheEventsAndFallsBackWhenTheKernelRefuses) {
  auto root = testing::temp_dir("perf-fake");
  auto power = root / "bus" / "event_source" / "devices" / "power";
  testing::write_text(power / "type", "4000000\n");  // no such PMU: the kernel refuses it
  testing::write_text(power / "cpumask", "0\n");
  testing::write_text(power / "events" / "energy-pkg", "event=0x02\n");
  testing::write_text(power / "events" / "energy-pkg.scale", "2.3283064365386962890625e-10\n");
  PerfPowerPmu pmu = discover_perf_power(root);
  ASSERT_TRUE(pmu.unavailable.empty()) << pmu.unavailable;
  ASSERT_TRUE(pmu.package);
  EXPECT_EQ(pmu.package->config, 2u);
  EXPECT_DOUBLE_EQ(pmu.package->joules_per_count, 2.3283064365386962890625e-10);
  EXPECT_FALSE(pmu.ram);
  EXPECT_EQ(pmu.cpus, std::vector<int>{0});

  EnergyMeter meter(options_for(root));
  EXPECT_EQ(meter.setup().method, EnergyMethod::estimated);
  EXPECT_TRUE(any_contains(meter.setup().not_used, "perf: perf_event_open(power/energy-pkg/"));
}

TEST(PerfPower, PsysOnlyPmuIsNotUsed) {
  // What a cloud VM showed: a power PMU with energy-psys and no energy-pkg.
  auto root = testing::temp_dir("perf-psys");
  auto power = root / "bus" / "event_source" / "devices" / "power";
  testing::write_text(power / "type", "9\n");
  testing::write_text(power / "cpumask", "0\n");
  testing::write_text(power / "events" / "energy-psys", "event=0x05\n");
  testing::write_text(power / "events" / "energy-psys.scale", "2.3283064365386962890625e-10\n");
  testing::write_text(power / "events" / "energy-psys.unit", "Joules\n");
  PerfPowerPmu pmu = discover_perf_power(root);
  EXPECT_FALSE(pmu.package);
  EXPECT_NE(pmu.unavailable.find("no power/energy-pkg/ event (the PMU offers: energy-psys; psys"),
            std::string::npos)
      << pmu.unavailable;
}

TEST(PerfPower, MissingPmuSaysSo) {
  auto root = testing::temp_dir("perf-none");
  EXPECT_NE(discover_perf_power(root).unavailable.find("not present"), std::string::npos);
}

}  // namespace
}  // namespace greenbert
