#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>

#include "core/atomic_file.h"
#include "core/error.h"
#include "energy/carbon_intensity.h"
#include "energy/emissions_details.h"
#include "energy/energy_figures.h"
#include "energy/energy_tracker.h"
#include "support.h"

namespace greenbert {
namespace {

// Forced estimate with known constants: no counters under an empty sysfs root.
EnergyOptions estimate_options(const std::filesystem::path& dir) {
  EnergyOptions options;
  options.sysfs_root = dir / "no-sysfs";
  options.cpu_power_watts = 10.0;
  options.ram_power_watts = 5.0;
  options.pue = 1.5;
  options.country = "FRA";
  options.sample_interval_seconds = 0.002;
  return options;
}

// Waits (burning CPU, as a phase would) until the sampler has covered `seconds`.
void work_until(const EnergyTracker& tracker, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  volatile double sink = 0;
  while (tracker.snapshot().seconds < seconds && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 10000; ++i) sink = sink + std::sqrt(static_cast<double>(i));
  }
}

TEST(EnergyTracker, RowAndSidecarAgreeAndPerUnitFiguresFollow) {
  auto dir = testing::temp_dir("tracker");
  auto csv = dir / "emissions.csv";
  EnergyTracker tracker("train", csv, estimate_options(dir), "greenbert", "bert-tiny");
  tracker.add_work(60, 3000);
  tracker.add_work(40, 2000);
  work_until(tracker, 0.05);
  EnergySnapshot snapshot = tracker.snapshot();
  EXPECT_GT(snapshot.joules, 0);
  EXPECT_EQ(snapshot.method, EnergyMethod::estimated);

  const EmissionsRecord row = tracker.stop();
  const PhaseDetails& details = tracker.details();
  EXPECT_GE(row.duration, 0.05);
  EXPECT_GE(row.duration, snapshot.seconds);
  // CPU between the 10% floor and the full TDP; RAM the forced constant.
  EXPECT_GE(row.cpu_power, 1.0 - 1e-9);
  EXPECT_LE(row.cpu_power, 10.0 + 1e-9);
  EXPECT_DOUBLE_EQ(row.ram_power, 5.0);
  // PUE applies to energy (as CodeCarbon), not to power.
  EXPECT_DOUBLE_EQ(row.cpu_energy, details.cpu_joules * 1.5 / kJoulesPerKwh);
  EXPECT_DOUBLE_EQ(row.ram_energy, details.ram_joules * 1.5 / kJoulesPerKwh);
  EXPECT_NEAR(details.ram_joules, 5.0 * row.duration, 1e-9);
  EXPECT_DOUBLE_EQ(row.energy_consumed, row.cpu_energy + row.ram_energy);
  EXPECT_DOUBLE_EQ(row.emissions,
                   row.energy_consumed * find_country_intensity("FRA")->g_per_kwh / 1000);
  EXPECT_DOUBLE_EQ(row.emissions_rate, row.emissions / row.duration);
  EXPECT_EQ(row.country_iso_code, "FRA");
  EXPECT_EQ(row.experiment_id, "bert-tiny");
  EXPECT_EQ(row.tracking_mode, "machine");
  EXPECT_EQ(row.codecarbon_version, "greenbert " GREENBERT_VERSION);
  EXPECT_TRUE(row.python_version.empty());

  EXPECT_EQ(details.phase, "train");
  EXPECT_EQ(details.method, "estimated");
  EXPECT_DOUBLE_EQ(*details.assumed_tdp_watts, 10.0);
  EXPECT_NE(details.tdp_source.find("--cpu-power"), std::string::npos);
  EXPECT_GE(details.samples, 2);
  EXPECT_EQ(details.sequences, 100);
  EXPECT_EQ(details.tokens, 5000);
  EXPECT_DOUBLE_EQ(details.joules, row.energy_consumed * kJoulesPerKwh);
  EXPECT_DOUBLE_EQ(*details.joules_per_sequence, details.joules / 100);
  EXPECT_DOUBLE_EQ(*details.joules_per_1000_predictions, details.joules * 10);
  EXPECT_DOUBLE_EQ(*details.joules_per_token, details.joules / 5000);
  EXPECT_TRUE(details.completed);

  auto log = read_emissions_log(csv);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(format_emissions_row(log[0].row), format_emissions_row(row));
  ASSERT_TRUE(log[0].details);
  EXPECT_EQ(format_details_line(*log[0].details), format_details_line(details));
}

TEST(EnergyTracker, StopTwiceWritesOnce) {
  auto dir = testing::temp_dir("tracker-twice");
  EnergyTracker tracker("eval", dir / "emissions.csv", estimate_options(dir));
  auto first = tracker.stop();
  auto second = tracker.stop();
  EXPECT_EQ(first.run_id, second.run_id);
  EXPECT_EQ(read_emissions_csv(dir / "emissions.csv").size(), 1u);
}

TEST(EnergyTracker, DestructorRecordsAnInterruptedPhase) {
  auto dir = testing::temp_dir("tracker-unwind");
  try {
    EnergyTracker tracker("train", dir / "emissions.csv", estimate_options(dir));
    tracker.add_work(7, 0);
    fail("training diverged");
  } catch (const Error&) {
  }
  auto log = read_emissions_log(dir / "emissions.csv");
  ASSERT_EQ(log.size(), 1u);
  ASSERT_TRUE(log[0].details);
  EXPECT_FALSE(log[0].details->completed);
  EXPECT_EQ(log[0].details->sequences, 7);
  EXPECT_FALSE(log[0].details->joules_per_token);  // no tokens counted
}

TEST(EnergyTracker, BadOptionsFailBeforeAnythingIsWritten) {
  auto dir = testing::temp_dir("tracker-bad");
  EnergyOptions options = estimate_options(dir);
  options.country = "Atlantis";
  EXPECT_THROW(EnergyTracker("train", dir / "emissions.csv", options), Error);
  options = estimate_options(dir);
  options.pue = 0.5;
  EXPECT_THROW(EnergyTracker("train", dir / "emissions.csv", options), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "emissions.csv"));
}

TEST(EnergyTracker, FormatsEnergyForProgressLines) {
  EnergySnapshot snapshot;
  snapshot.joules = 1234.0;
  snapshot.kg_co2eq = 0.000162;
  EXPECT_EQ(format_energy(snapshot), "1.23 kJ estimated, 0.162 gCO2eq");
}

TEST(EnergyTracker, RandomUuidsAreVersion4) {
  const std::string id = random_uuid();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_NE(random_uuid(), id);
}

TEST(EmissionsDetails, SidecarPathAndGarbledLines) {
  EXPECT_EQ(details_path_for("runs/a/emissions.csv"), "runs/a/emissions_details.jsonl");
  auto dir = testing::temp_dir("details");
  PhaseDetails details;
  details.run_id = "r1";
  details.method = "estimated";
  const std::string good = format_details_line(details);
  write_file_atomically(dir / "d.jsonl", good + good.substr(0, good.size() / 2) + "\n");
  try {
    read_details(dir / "d.jsonl");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("d.jsonl:2: "), std::string::npos) << e.what();
  }
  write_file_atomically(dir / "d.jsonl", good + good.substr(0, good.size() - 1));
  EXPECT_EQ(read_details(dir / "d.jsonl").size(), 1u);  // torn: no end of line, left out
  details.method = "guessed";
  write_file_atomically(dir / "d.jsonl", format_details_line(details));
  EXPECT_THROW(read_details(dir / "d.jsonl"), Error);
}

TEST(EmissionsDetails, LogRejectsASidecarThatDisagreesWithTheCsv) {
  auto dir = testing::temp_dir("details-mismatch");
  auto csv = dir / "emissions.csv";
  {
    EnergyTracker tracker("bench", csv, estimate_options(dir));
    tracker.stop();
  }
  auto details = read_details(details_path_for(csv));
  ASSERT_EQ(details.size(), 1u);
  details[0].joules *= 2;
  write_file_atomically(details_path_for(csv), format_details_line(details[0]));
  try {
    read_emissions_log(csv);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("states"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace greenbert
