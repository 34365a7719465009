#include <gtest/gtest.h>

#include "core/error.h"
#include "energy/carbon_intensity.h"
#include "energy/emissions_details.h"
#include "fake_sysfs.h"
#include "support.h"

namespace greenbert {
namespace {

TEST(EnergyCli, InfoSaysTheEstimateIsUsedAndWhy) {
  auto empty = testing::temp_dir("cli-info-empty");
  auto result = testing::run_cli("energy info --sysfs-root " + empty.string() + " --country deu");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("energy source     estimated"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("RAPL            not used: "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("perf            not used: "), std::string::npos) << result.out;
  // Whatever this machine's CPU, the TDP line says what CodeCarbon's table made of it.
  const auto tdp = result.out.find("assumed TDP");
  ASSERT_NE(tdp, std::string::npos) << result.out;
  EXPECT_NE(result.out.substr(tdp, result.out.find('\n', tdp) - tdp).find("CodeCarbon"),
            std::string::npos)
      << result.out;
  const auto germany = find_country_intensity("DEU");
  EXPECT_NE(result.out.find(cat(germany->g_per_kwh, " g CO2eq/kWh (CodeCarbon")), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find(cat("DEU ", germany->year, ")")), std::string::npos) << result.out;
}

TEST(EnergyCli, InfoSaysWhenACountrysFigureIsDerivedFromItsMix) {
  auto result = testing::run_cli("energy info --country CAF");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("CAF 2022, computed from its generation mix"), std::string::npos)
      << result.out;
}

TEST(EnergyCli, InfoFindsRaplCounters) {
  auto root = testing::temp_dir("cli-info-rapl");
  testing::make_two_socket_rapl(root);
  auto result = testing::run_cli("energy info --sysfs-root " + root.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("energy source     rapl"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("measured: RAPL package-0"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("assumed TDP"), std::string::npos) << "no TDP is assumed when measured";
}

TEST(EnergyCli, UnknownCountryIsAnError) {
  auto result = testing::run_cli("energy info --country XYZ");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("greenbert: error: unknown country code 'XYZ'"), std::string::npos)
      << result.err;
}

TEST(EnergyCli, MeasureRecordsTheCommandAndKeepsItsExitCode) {
  auto dir = testing::temp_dir("cli-measure");
  auto csv = dir / "emissions.csv";
  const std::string common = "energy measure --out " + csv.string() + " --sysfs-root " +
                             (dir / "no-sysfs").string() + " --energy-interval 0.01 ";
  auto ok = testing::run_cli(common + "--phase baseline -- sh -c 'echo hello'");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "hello\n") << "the command's output is passed through untouched";
  EXPECT_NE(ok.err.find("estimated"), std::string::npos) << ok.err;

  auto failed = testing::run_cli(common + "-- sh -c 'exit 7'");
  EXPECT_EQ(failed.exit_code, 7) << failed.err;

  auto log = read_emissions_log(csv);
  ASSERT_EQ(log.size(), 2u) << "a failing command's energy is recorded too";
  ASSERT_TRUE(log[0].details);
  EXPECT_EQ(log[0].details->phase, "baseline");
  EXPECT_EQ(log[1].details->phase, "measure");

  auto missing = testing::run_cli(common + "-- /nonexistent/tool");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot run '/nonexistent/tool'"), std::string::npos) << missing.err;
  EXPECT_EQ(read_emissions_log(csv).size(), 2u) << "nothing ran, nothing is recorded";
}

}  // namespace
}  // namespace greenbert
