// `greenbert pretrain` end to end on the synthetic task with a tiny encoder: both objectives
// write a model directory that `train --init` fine-tunes, a finished run is left alone, a killed
// run resumes with its own options to the uninterrupted result, and a run directory continues
// only under its own options.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "background_cli.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "support.h"
#include "train_support.h"

namespace greenbert {
namespace {

using nlohmann::json;

TEST(PretrainCli, BothObjectivesWriteAModelThatTrainInitFineTunes) {
  const auto dir = testing::temp_dir("pretrain-cli");
  const auto data = testing::write_synthetic_csv(dir / "data.csv", 200, 3);
  const auto config = testing::write_tiny_config(dir / "tiny.json");
  for (const char* objective : {"mlm", "rtd"}) {
    const auto pretrained = dir / cat("pretrained-", objective);
    const std::string pretrain =
        cat("pretrain --data ", data.string(), " --config ", config.string(), " --objective ",
            objective, " --vocab-size 120 --epochs 1 --batch-size 8 --max-length 32 --threads 1 ",
            "--out ", pretrained.string());
    auto run = testing::run_cli(pretrain);
    ASSERT_EQ(run.exit_code, 0) << objective << ": " << run.err;
    for (const char* file : {"config.json", "model.safetensors", "vocab.txt"})
      EXPECT_TRUE(std::filesystem::exists(pretrained / file)) << objective << ": " << file;
    auto again = testing::run_cli(pretrain);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;

    const auto tuned = dir / cat("tuned-", objective);
    auto fine_tuned = testing::run_cli(
        cat("train --init ", pretrained.string(), " --data ", data.string(),
            " --split-ratios 0.8,0.1,0.1 --epochs 1 --batch-size 8 --max-length 32 --threads 1 "
            "--out ",
            tuned.string()));
    ASSERT_EQ(fine_tuned.exit_code, 0) << objective << ": " << fine_tuned.err;
    const auto metrics = json::parse(read_file(tuned / "metrics.json"));
    EXPECT_TRUE(metrics["test"].contains("micro_f1")) << objective;
  }
}

TEST(PretrainCli, AKilledRunResumesWithItsOwnOptionsToTheUninterruptedResult) {
  const auto dir = testing::temp_dir("pretrain-cli-kill");
  const auto data = testing::write_synthetic_csv(dir / "data.csv", 400, 6);
  const auto config = testing::write_tiny_config(dir / "tiny.json");
  // Options that differ from the defaults, so that --resume must take them from the run.
  const std::string options =
      cat(" --data ", data.string(), " --config ", config.string(),
          " --vocab-size 110 --epochs 2 --batch-size 8 --max-length 24 --heldout 20 --lr 0.002 "
          "--mask-probability 0.2 --threads 1 --checkpoint-every 1 --out ");
  const auto straight = dir / "straight";
  ASSERT_EQ(testing::run_cli("pretrain" + options + straight.string()).exit_code, 0);

  const auto killed = dir / "killed";
  const pid_t pid = testing::spawn_cli("pretrain" + options + killed.string(), dir / "killed.err");
  ASSERT_TRUE(testing::wait_until(
      pid, [&] { return std::filesystem::exists(killed / "checkpoint/checkpoint.safetensors"); }))
      << "the run ended before it could be killed: " << read_file(dir / "killed.err");
  ::kill(pid, SIGKILL);
  EXPECT_EQ(testing::exit_code_of(pid), -SIGKILL);

  auto resumed = testing::run_cli(cat("pretrain --out ", killed.string(), " --resume --threads 1"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resuming from"), std::string::npos) << resumed.err;
  for (const char* file : {"model.safetensors", "vocab.txt", "config.json"})
    EXPECT_EQ(read_file(killed / file), read_file(straight / file)) << file;
  EXPECT_EQ(testing::deterministic_rows(killed / "train_log.csv", 2),
            testing::deterministic_rows(straight / "train_log.csv", 2));
}

TEST(PretrainCli, ARunContinuesOnlyUnderItsOwnOptions) {
  const auto dir = testing::temp_dir("pretrain-cli-options");
  const auto data = testing::write_synthetic_csv(dir / "data.csv", 60, 4);
  const auto config = testing::write_tiny_config(dir / "tiny.json");
  const auto run = dir / "run";
  auto nothing = testing::run_cli(cat("pretrain --out ", run.string(), " --resume"));
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_NE(nothing.err.find("nothing to resume (no pretrain_config.json)"), std::string::npos)
      << nothing.err;

  // A run that has started (its options recorded) but not finished, as after a kill.
  const std::string options =
      cat(" --data ", data.string(), " --config ", config.string(),
          " --vocab-size 120 --epochs 1 --batch-size 8 --max-length 32 --threads 1 --out ",
          run.string());
  ASSERT_EQ(testing::run_cli("pretrain" + options).exit_code, 0);
  std::filesystem::remove(run / "pretrain_metrics.json");

  auto other = testing::run_cli("pretrain --lr 0.5" + options);
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("started with other options: --lr"), std::string::npos) << other.err;
  auto other_resume =
      testing::run_cli(cat("pretrain --out ", run.string(), " --resume --objective rtd"));
  EXPECT_EQ(other_resume.exit_code, 1);
  EXPECT_NE(other_resume.err.find("--objective \"mlm\" (this command: \"rtd\")"), std::string::npos)
      << other_resume.err;

  auto resumed = testing::run_cli(cat("pretrain --out ", run.string(), " --resume --threads 1"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(std::filesystem::exists(run / "pretrain_metrics.json"));
}

}  // namespace
}  // namespace greenbert
