#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "energy/emissions_csv.h"
#include "energy/energy_tracker.h"
#include "support.h"

namespace greenbert {
namespace {

// CodeCarbon 3.2's EmissionsData fields in order (codecarbon/output_methods/emissions_data.py),
// the header its CSV output writes.
const char* const kCodeCarbon3Header =
    "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,"
    "gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,water_consumed,"
    "country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,"
    "codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,"
    "tracking_mode,cpu_utilization_percent,gpu_utilization_percent,ram_utilization_percent,"
    "ram_used_gb,on_cloud,pue,wue\n";

EmissionsRecord sample_record(const std::string& run_id) {
  EmissionsRecord r;
  r.timestamp = "2025-01-31T12:34:56";
  r.project_name = "greenbert";
  r.run_id = run_id;
  r.experiment_id = "bert-tiny, \"int8\"";  // a comma and quotes must survive
  r.duration = 12.5;
  r.cpu_power = 8.0;
  r.ram_power = 20.0;
  r.cpu_energy = 8.0 * 12.5 / 3.6e6;
  r.ram_energy = 20.0 * 12.5 / 3.6e6;
  r.energy_consumed = r.cpu_energy + r.ram_energy;
  r.emissions = r.energy_consumed * 0.475;
  r.emissions_rate = r.emissions / r.duration;
  r.country_name = "France";
  r.country_iso_code = "FRA";
  r.os = "Linux-6.1.0-x86_64-with-glibc2.36";
  r.codecarbon_version = "greenbert 0.1.0";
  r.cpu_count = 2;
  r.cpu_model = "Intel(R) Xeon(R) Processor";
  r.ram_total_size = 23.54;
  r.tracking_mode = "machine";
  r.cpu_utilization_percent = 51.5;
  r.ram_utilization_percent = 4.8;
  r.ram_used_gb = 1.13;
  r.pue = 1.0;
  return r;
}

void expect_error(const std::function<void()>& action, const std::string& expected) {
  try {
    action();
    FAIL() << "expected an error containing: " << expected;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

TEST(EmissionsCsv, ColumnsAreExactlyCodeCarbon3s) {
  EXPECT_EQ(emissions_csv_header(), kCodeCarbon3Header);
  EXPECT_EQ(emissions_csv_columns().size(), 38u);
}

TEST(EmissionsCsv, RowsRoundTripWithCodeCarbonUnits) {
  auto path = testing::temp_dir("csv-roundtrip") / "emissions.csv";
  EmissionsRecord record = sample_record("run-1");
  append_emissions_row(path, record);
  const std::string text = read_file(path);
  EXPECT_EQ(text.substr(0, text.find('\n') + 1), kCodeCarbon3Header);
  EXPECT_NE(text.find(",\"bert-tiny, \"\"int8\"\"\","), std::string::npos) << text;
  EXPECT_NE(text.find(",12.5,"), std::string::npos);
  EXPECT_NE(text.find(",N,1.0,0.0\n"), std::string::npos) << "floats keep a .0, as Python's";

  auto rows = read_emissions_csv(path);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(format_emissions_row(rows[0]), format_emissions_row(record));
  EXPECT_EQ(rows[0].experiment_id, record.experiment_id);
  EXPECT_DOUBLE_EQ(rows[0].energy_consumed, record.energy_consumed);
  EXPECT_FALSE(rows[0].longitude);
}

TEST(EmissionsCsv, HeaderIsWrittenOnceAndForeignHeadersAreRefused) {
  auto dir = testing::temp_dir("csv-header");
  append_emissions_row(dir / "a.csv", sample_record("r1"));
  append_emissions_row(dir / "a.csv", sample_record("r2"));
  EXPECT_EQ(read_emissions_csv(dir / "a.csv").size(), 2u);

  // A CodeCarbon 2.x file: no experiment_id, no water or utilisation columns.
  write_file_atomically(dir / "old.csv",
                        "timestamp,project_name,run_id,duration,emissions,emissions_rate\n");
  expect_error([&] { append_emissions_row(dir / "old.csv", sample_record("r3")); },
               "old.csv:1: header is not CodeCarbon 3.x's emissions.csv columns (column 4 is "
               "'duration', expected 'experiment_id'); refusing to mix schemas");
  EXPECT_EQ(read_file(dir / "old.csv").find("r3"), std::string::npos);
}

TEST(EmissionsCsv, NonFiniteValuesAreNeverWritten) {
  auto path = testing::temp_dir("csv-nan") / "emissions.csv";
  EmissionsRecord record = sample_record("nan");
  record.cpu_power = std::nan("");
  expect_error([&] { append_emissions_row(path, record); }, "cpu_power is not finite");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(EmissionsCsv, ConcurrentAppendsFromManyThreadsKeepEveryRowIntact) {
  auto path = testing::temp_dir("csv-concurrent") / "emissions.csv";
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i)
        append_emissions_row(path, sample_record(cat("thread-", t, "-row-", i)));
    });
  }
  for (auto& writer : writers) writer.join();
  auto rows = read_emissions_csv(path);  // one header, every row whole, or this throws
  ASSERT_EQ(rows.size(), 200u);
  std::set<std::string> ids;
  for (const auto& row : rows) ids.insert(row.run_id);
  EXPECT_EQ(ids.size(), 200u);
}

TEST(EmissionsCsv, ConcurrentTrackersWritingOneFile) {
  auto path = testing::temp_dir("csv-trackers") / "emissions.csv";
  EnergyOptions options;
  options.sysfs_root = path.parent_path() / "no-sysfs";
  options.sample_interval_seconds = 0.001;
  std::vector<std::thread> phases;
  for (int t = 0; t < 4; ++t) {
    phases.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        EnergyTracker tracker(cat("phase-", t), path, options);
        tracker.add_work(10, 100);
        tracker.stop();
      }
    });
  }
  for (auto& phase : phases) phase.join();
  auto log = read_emissions_log(path);
  ASSERT_EQ(log.size(), 12u);
  for (const auto& phase : log) {
    ASSERT_TRUE(phase.details) << phase.row.run_id;
    EXPECT_EQ(phase.details->sequences, 10);
  }
}

class EmissionsCsvReader : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory per test: ctest runs the tests of a fixture in parallel processes.
    path_ = testing::temp_dir(std::string("csv-reader-") +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name()) /
            "emissions.csv";
    good_ = emissions_csv_header() + format_emissions_row(sample_record("a")) +
            format_emissions_row(sample_record("b"));
  }
  void expect_rejected(const std::string& text, const std::string& expected) {
    write_file_atomically(path_, text);
    expect_error([&] { read_emissions_csv(path_); }, path_.string() + expected);
  }
  std::filesystem::path path_;
  std::string good_;
};

TEST_F(EmissionsCsvReader, AcceptsAGoodFile) {
  write_file_atomically(path_, good_);
  EXPECT_EQ(read_emissions_csv(path_).size(), 2u);
}

// An append interrupted part-way leaves a last line without its end: no row, left out (the next
// append drops it), never an error that would stop a training from finishing.
TEST_F(EmissionsCsvReader, LeavesOutATornLastRow) {
  write_file_atomically(path_, good_.substr(0, good_.size() - 40));
  const auto records = read_emissions_csv(path_);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].run_id, "a");
}

TEST_F(EmissionsCsvReader, RejectsARowWithMissingFields) {
  std::string text = good_;
  text.insert(text.find("\n") + 1, "2025-01-31T12:34:56,greenbert,x,,1.0\n");
  expect_rejected(text, ":2: 5 fields, expected 38 (torn or garbled row)");
}

TEST_F(EmissionsCsvReader, RejectsGarbledNumbers) {
  std::string text = good_;
  text.replace(text.find(",12.5,"), 6, ",12.5x,");
  expect_rejected(text, ":2: column duration: '12.5x' is not a number");
}

TEST_F(EmissionsCsvReader, RejectsInconsistentEnergy) {
  EmissionsRecord record = sample_record("c");
  record.energy_consumed *= 2;
  expect_rejected(good_ + format_emissions_row(record), ":4: energy_consumed");
}

TEST_F(EmissionsCsvReader, RejectsRepeatedRunIds) {
  expect_rejected(good_ + format_emissions_row(sample_record("a")), ":4: run_id a repeats line 2");
}

TEST_F(EmissionsCsvReader, RejectsAnotherHeader) {
  expect_rejected("timestamp,project_name\n", ":1: header is not CodeCarbon 3.x's");
  expect_rejected("", ":1: empty file");
}

}  // namespace
}  // namespace greenbert
