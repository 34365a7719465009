#include <gtest/gtest.h>

#include "core/error.h"
#include "energy/carbon_intensity.h"
#include "energy/cpu_tdp_table.h"
#include "energy/energy_figures.h"
#include "energy/power_models.h"

namespace greenbert {
namespace {

TEST(CpuPowerModel, MachineModeIsCodeCarbonsCubicWithATenPercentFloor) {
  // P = TDP x (0.1 + 0.9 x load^3), worked by hand for TDP = 100 W.
  EXPECT_DOUBLE_EQ(cpu_power_machine_mode(100, 0.0), 10.0);
  EXPECT_DOUBLE_EQ(cpu_power_machine_mode(100, 0.5), 21.25);  // 10 + 90 x 0.125
  EXPECT_DOUBLE_EQ(cpu_power_machine_mode(100, 0.2), 10.72);  // 10 + 90 x 0.008
  EXPECT_DOUBLE_EQ(cpu_power_machine_mode(100, 1.0), 100.0);
  EXPECT_DOUBLE_EQ(cpu_power_machine_mode(100, 1.7), 100.0);  // clamped
}

TEST(CpuPowerModel, ProcessModeIsLinearInTheCpuShareWithoutFloor) {
  EXPECT_DOUBLE_EQ(cpu_power_process_mode(8, 0.25), 2.0);
  EXPECT_DOUBLE_EQ(cpu_power_process_mode(8, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(cpu_power_process_mode(8, 3.0), 8.0);
}

TEST(AssumedTdp, TableModelsScaleBySocketsAndSayTheirSource) {
  auto one = assume_tdp("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 80, 1, std::nullopt);
  const double watts = match_cpu_tdp("Intel Xeon Gold 6248").tdp->watts;
  EXPECT_DOUBLE_EQ(one.watts, watts);
  EXPECT_NE(one.source.find("Intel Xeon Gold 6248"), std::string::npos) << one.source;
  EXPECT_NE(one.source.find("CodeCarbon"), std::string::npos) << one.source;
  EXPECT_DOUBLE_EQ(assume_tdp("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 80, 2, {}).watts,
                   2 * watts);
}

TEST(AssumedTdp, UnknownModelsUseCodeCarbonsFourWattsPerThreadAndSayWhy) {
  auto tdp = assume_tdp("Intel(R) Xeon(R) Processor", 2, 1, std::nullopt);
  EXPECT_DOUBLE_EQ(tdp.watts, 8.0);
  EXPECT_NE(tdp.source.find("4 W per thread"), std::string::npos);
  EXPECT_NE(tdp.source.find("not in CodeCarbon"), std::string::npos) << tdp.source;
  auto vague = assume_tdp("AMD EPYC", 16, 1, std::nullopt);
  EXPECT_DOUBLE_EQ(vague.watts, 64.0);
  EXPECT_NE(vague.source.find("fit its words equally"), std::string::npos) << vague.source;
  EXPECT_DOUBLE_EQ(assume_tdp("", 2, 1, std::nullopt).watts, 85.0);
  auto forced = assume_tdp("AMD EPYC 7543 32-Core Processor", 64, 1, 37.5);
  EXPECT_DOUBLE_EQ(forced.watts, 37.5);
  EXPECT_NE(forced.source.find("--cpu-power"), std::string::npos);
}

TEST(RamPowerModel, CodeCarbonV3DimmHeuristicByHand) {
  EXPECT_EQ(estimate_dimm_count(1), 1);
  EXPECT_EQ(estimate_dimm_count(8), 2);
  EXPECT_EQ(estimate_dimm_count(24), 4);
  EXPECT_EQ(estimate_dimm_count(128), 8);
  EXPECT_EQ(estimate_dimm_count(2048), 16);                // 128 GB DIMMs
  EXPECT_EQ(estimate_dimm_count(8192), 32);                // capped
  EXPECT_DOUBLE_EQ(ram_power_codecarbon_v3(1), 10.0);      // 1 DIMM, but the 10 W floor
  EXPECT_DOUBLE_EQ(ram_power_codecarbon_v3(8), 10.0);      // 2 x 5 W
  EXPECT_DOUBLE_EQ(ram_power_codecarbon_v3(24), 20.0);     // 4 x 5 W
  EXPECT_DOUBLE_EQ(ram_power_codecarbon_v3(128), 38.0);    // 4 x 5 + 4 x 4.5
  EXPECT_DOUBLE_EQ(ram_power_codecarbon_v3(2048), 70.0);   // 20 + 18 + 8 x 4
  EXPECT_DOUBLE_EQ(ram_power_codecarbon_v3(8192), 126.0);  // 20 + 18 + 32 + 16 x 3.5
}

TEST(RamPowerModel, CodeCarbonV2IsThreeWattsPerEightGigabytes) {
  EXPECT_DOUBLE_EQ(ram_power_codecarbon_v2(16), 6.0);
  EXPECT_DOUBLE_EQ(ram_power(RamModel::codecarbon_v2, 24), 9.0);
  EXPECT_DOUBLE_EQ(ram_power(RamModel::codecarbon_v3, 24), 20.0);
}

TEST(CarbonIntensity, CountryTableFallbackAndOverride) {
  auto france = resolve_carbon_intensity("fra", std::nullopt);
  EXPECT_EQ(france.country_iso_code, "FRA");
  EXPECT_EQ(france.country_name, "France");
  EXPECT_DOUBLE_EQ(france.g_per_kwh, find_country_intensity("FRA")->g_per_kwh);
  EXPECT_NE(france.source.find("CodeCarbon"), std::string::npos) << france.source;
  EXPECT_NE(france.source.find(cat("FRA ", find_country_intensity("FRA")->year)), std::string::npos)
      << france.source;

  auto world = resolve_carbon_intensity("", std::nullopt);
  EXPECT_DOUBLE_EQ(world.g_per_kwh, 475);
  EXPECT_TRUE(world.country_iso_code.empty());

  auto forced = resolve_carbon_intensity("DEU", 120.0);
  EXPECT_DOUBLE_EQ(forced.g_per_kwh, 120);
  EXPECT_EQ(forced.country_iso_code, "DEU");
  EXPECT_NE(forced.source.find("--carbon-intensity"), std::string::npos);

  try {
    resolve_carbon_intensity("XYZ", std::nullopt);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'XYZ'"), std::string::npos) << e.what();
  }
}

TEST(EnergyFigures, PerUnitFiguresByHand) {
  auto figures = per_unit_energy(1000.0, 100, 5000);
  EXPECT_DOUBLE_EQ(*figures.joules_per_sequence, 10.0);
  EXPECT_DOUBLE_EQ(*figures.joules_per_1000_predictions, 10000.0);
  EXPECT_DOUBLE_EQ(*figures.joules_per_token, 0.2);
  auto nothing = per_unit_energy(1000.0, 0, 0);
  EXPECT_FALSE(nothing.joules_per_sequence);
  EXPECT_FALSE(nothing.joules_per_token);
  EXPECT_DOUBLE_EQ(joules_to_kwh(3.6e6), 1.0);
  EXPECT_DOUBLE_EQ(kg_co2eq(2.0, 475), 0.95);
}

}  // namespace
}  // namespace greenbert
