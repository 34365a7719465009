// `greenbert study` end to end with stand-in stages (tests/data/study/stub_greenbert.sh copies
// what each real stage would write from the fixture study): what runs, what is skipped on a
// re-run, how a failure is contained and reported, how an interrupted training resumes.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/atomic_file.h"
#include "core/child_process.h"
#include "study/study_state.h"
#include "support.h"

namespace greenbert {
namespace {

std::filesystem::path study_data() {
  return testing::source_dir() / "tests/data/study";
}

std::vector<std::string> lines(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A study directory, its log of stage calls, and the stand-in stages' environment.
class StudyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::temp_dir(std::string("study-cli-") +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    log_ = root_ / "stages.log";
    data_ = root_ / "papers.csv";
    std::ofstream(data_) << "titles,summaries,terms\n";
    setenv("STUB_FIXTURE", (study_data() / "two_models").c_str(), 1);
    setenv("STUB_GREENBERT", testing::cli_path().c_str(), 1);
    setenv("STUB_LOG", log_.c_str(), 1);
    unsetenv("STUB_FAIL");
    unsetenv("STUB_HANG");
  }
  void TearDown() override {
    unsetenv("STUB_FAIL");
    unsetenv("STUB_HANG");
  }

  std::vector<std::string> args() const {
    return {"study",
            "--data",
            data_.string(),
            "--out",
            (root_ / "study").string(),
            "--stage-exe",
            (study_data() / "stub_greenbert.sh").string(),
            "--max-rows",
            "100",
            "--epochs",
            "2",
            "--threads",
            "2",
            "--energy-interval",
            "0.2",
            "--no-linear"};  // the stub's fixture has two encoders
  }
  testing::CliResult study(const std::string& extra = "") const {
    std::string line;
    for (const auto& a : args()) line += shell_command_line({a}) + " ";
    return testing::run_cli(line + extra);
  }
  // Stage calls since the last time this was asked.
  std::vector<std::string> new_calls() {
    auto all = lines(log_);
    std::vector<std::string> fresh(all.begin() + static_cast<long>(seen_), all.end());
    seen_ = all.size();
    return fresh;
  }
  StudyState state() const { return read_study_state(root_ / "study/study_state.json"); }

  std::filesystem::path root_, log_, data_;
  size_t seen_ = 0;
};

bool called(const std::vector<std::string>& calls, const std::string& start) {
  for (const auto& c : calls)
    if (c.rfind(start, 0) == 0) return true;
  return false;
}

TEST_F(StudyCli, RunsEveryStageOnceThenSkipsThemAll) {
  auto first = study();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto calls = new_calls();
  EXPECT_EQ(calls.size(), 21u);  // split, vocab, 2 x (train, 3 eval, 2 quantize, 3 bench), report
  EXPECT_TRUE(called(calls, "data split --data"));
  EXPECT_TRUE(called(calls, "train --data data --out models/tinybert/fp32 --preset tinybert"));
  EXPECT_TRUE(called(calls, "report --study ."));
  EXPECT_NE(first.err.find("stage 3/21: bert-tiny train"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("$ cd "), std::string::npos) << "commands are printed";
  for (const auto& stage : state().stages) {
    EXPECT_EQ(stage.status, StageStatus::done) << stage.id;
    EXPECT_EQ(stage.energy_runs.size(), 1u) << stage.id << ": one energy row per attempt";
  }
  const auto dir = root_ / "study";
  for (const char* file : {"report.md", "report.html", "study.json", "bench.json", "emissions.csv",
                           "results/tinybert/eval-int8.json"})
    EXPECT_TRUE(std::filesystem::exists(dir / file)) << file;

  auto again = study();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(new_calls().empty()) << "nothing to do the second time";
  EXPECT_NE(again.err.find("21 stages: 0 ran, 21 skipped"), std::string::npos) << again.err;

  // A lost output runs its stage again, and the report after it; nothing else.
  std::filesystem::remove(dir / "results/bert-tiny/bench-int8.json");
  auto third = study();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  const auto rerun = new_calls();
  ASSERT_EQ(rerun.size(), 2u);
  EXPECT_TRUE(called(rerun, "bench --model models/bert-tiny/int8"));
  EXPECT_TRUE(called(rerun, "report"));
}

TEST_F(StudyCli, FailureIsContainedReportedAndRetried) {
  setenv("STUB_FAIL", "quantize --model models/bert-tiny/fp32 --precision int8", 1);
  auto failed = study();
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("failed: bert-tiny/quantize-int8: exit code 1"), std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find("blocked: bert-tiny/eval-int8"), std::string::npos) << failed.err;
  const StudyState s = state();
  EXPECT_EQ(s.find("bert-tiny/quantize-int8")->status, StageStatus::failed);
  EXPECT_EQ(s.find("bert-tiny/eval-int8")->status, StageStatus::blocked);
  EXPECT_EQ(s.find("bert-tiny/bench-int8")->status, StageStatus::blocked);
  EXPECT_EQ(s.find("tinybert/bench-int8")->status, StageStatus::done) << "the others go on";
  EXPECT_EQ(s.find("report")->status, StageStatus::done) << "the report covers the rest";
  const std::string report = read_file(root_ / "study/report.md");
  EXPECT_NE(report.find("| bert-tiny/quantize-int8 | failed | 1 |"), std::string::npos);
  EXPECT_NE(report.find("| bert-tiny/eval-int8 | blocked | 0 |"), std::string::npos);
  new_calls();

  unsetenv("STUB_FAIL");
  auto retried = study();
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  const auto calls = new_calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_TRUE(called(calls, "quantize --model models/bert-tiny/fp32 --precision int8"));
  EXPECT_TRUE(called(calls, "eval --model models/bert-tiny/int8"));
  EXPECT_TRUE(called(calls, "bench --model models/bert-tiny/int8"));
  EXPECT_TRUE(called(calls, "report"));
  // The failed attempt's energy was spent on this result too.
  EXPECT_EQ(state().find("bert-tiny/quantize-int8")->attempts, 2);
  EXPECT_EQ(state().find("bert-tiny/quantize-int8")->energy_runs.size(), 2u);
}

TEST_F(StudyCli, InterruptedTrainingResumesFromItsCheckpoint) {
  setenv("STUB_HANG", "tinybert", 1);
  std::vector<std::string> argv{testing::cli_path().string()};
  for (const auto& a : args()) argv.push_back(a);
  ProcessOptions quiet;
  quiet.stdout_file = root_ / "study.out";
  quiet.stderr_file = root_ / "study.out";
  const pid_t pid = start_process(argv, quiet);
  const auto hang_marker = std::filesystem::path(log_.string() + ".hang");
  for (int i = 0; i < 600 && !std::filesystem::exists(hang_marker); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(std::filesystem::exists(hang_marker)) << read_file(root_ / "study.out");
  ::kill(pid, SIGTERM);  // as `timeout` or a scheduler would stop the study
  const ProcessExit stopped = wait_process(pid);
  EXPECT_EQ(stopped.exit_code, 128 + SIGTERM);
  const std::string out = read_file(root_ / "study.out");
  EXPECT_NE(out.find("study interrupted (signal 15, Terminated); run the same command again to "
                     "resume"),
            std::string::npos)
      << out;
  EXPECT_EQ(state().find("tinybert/train")->status, StageStatus::interrupted);
  EXPECT_EQ(state().find("tinybert/eval-fp32")->status, StageStatus::pending);
  new_calls();

  unsetenv("STUB_HANG");
  auto resumed = study();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto calls = new_calls();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front().rfind("train --data data --out models/tinybert/fp32", 0), 0u);
  EXPECT_NE(calls.front().find(" --resume"), std::string::npos) << calls.front();
  EXPECT_FALSE(called(calls, "train --data data --out models/bert-tiny")) << "bert-tiny was done";
  EXPECT_EQ(state().find("tinybert/train")->attempts, 2);
}

TEST_F(StudyCli, DryRunShowsThePlanAndPassesEnergyOptionsOn) {
  auto dry = study("--dry-run --country FRA --pue 1.25");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("stage 1/21 split: run (not run before)"), std::string::npos) << dry.out;
  EXPECT_NE(
      dry.out.find("train --data data --out models/bert-tiny/fp32 --preset bert-tiny "
                   "--vocab vocab/vocab.txt --epochs 2 --max-length 150 --seed 42 --threads 2 "
                   "--country FRA --pue 1.25"),
      std::string::npos)
      << dry.out;
  EXPECT_TRUE(new_calls().empty());
  EXPECT_FALSE(std::filesystem::exists(root_ / "study/study_state.json"));
}

TEST_F(StudyCli, RefusesBadModelsAndData) {
  auto unknown = study("--models bert-huge");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown model preset 'bert-huge'"), std::string::npos) << unknown.err;
  auto file_out = testing::run_cli("study --data " + data_.string() + " --out " + data_.string());
  EXPECT_EQ(file_out.exit_code, 1);
  EXPECT_NE(file_out.err.find("exists and is not a directory"), std::string::npos) << file_out.err;
  auto missing = testing::run_cli("study --data /nonexistent.csv --out " + (root_ / "x").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent.csv"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace greenbert
