// `mpirun -np 2 greenbert train` (core/process_group.h, parallel/mpi_process_group.h) on the
// synthetic task: two 2-rank runs are bit-identical, they agree with one process on the same
// global batches, each rank's energy is in emissions.csv, and a job whose rank is killed ends
// with an error and a checkpoint that one process resumes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "background_cli.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "energy/emissions_csv.h"
#include "model/model_directory.h"
#include "support.h"
#include "train/checkpoint.h"
#include "train/trainer.h"
#include "train_support.h"

namespace greenbert {
namespace {

using nlohmann::json;

// CI runs as root in a container: Open MPI needs to be told that both are fine.
std::string mpirun(int ranks) {
  return cat("env OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun -np ", ranks,
             " --oversubscribe --allow-run-as-root");
}

bool have_mpirun() {
  return std::system("command -v mpirun >/dev/null 2>&1") == 0;
}

#define SKIP_WITHOUT_MPIRUN()                                                              \
  if (!have_mpirun()) {                                                                    \
    if (testing::running_in_ci()) FAIL() << "mpirun is missing (scripts/install-deps.sh)"; \
    GTEST_SKIP() << "mpirun is missing (openmpi-bin, scripts/install-deps.sh)";            \
  }

struct Task {
  std::filesystem::path dir, data, config;
};

// With dropout: each rank's shard draws the masks of its place in the global batch, so the ranks
// together drop what one process would.
Task make_task(const std::string& name) {
  Task t;
  t.dir = testing::temp_dir(name);
  t.data = testing::write_synthetic_csv(t.dir / "data.csv", 300, 11);
  t.config = testing::write_tiny_config(t.dir / "tiny.json");
  EXPECT_GT(testing::tiny_config(100).hidden_dropout, 0);
  return t;
}

std::string train_args(const Task& t, const std::filesystem::path& out,
                       const std::string& extra = "") {
  return cat("train --data ", t.data.string(), " --split-ratios 0.8,0.1,0.1 --config ",
             t.config.string(), " --vocab-size 120 --epochs 2 --batch-size 8 --max-length 48 ",
             "--lr 3e-3 --threads 1 --out ", out.string(), " ", extra);
}

float largest_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const ClassifierModel x = load_model(ModelDirectory::open(a));
  const ClassifierModel y = load_model(ModelDirectory::open(b));
  EXPECT_EQ(x.params.size(), y.params.size());
  float largest = 0;
  for (int64_t i = 0; i < std::min(x.params.size(), y.params.size()); ++i)
    largest = std::max(largest, std::abs(x.params.data()[i] - y.params.data()[i]));
  return largest;
}

// The training rows of emissions.csv, by project name.
std::vector<std::string> train_row_projects(const std::filesystem::path& run) {
  std::vector<std::string> projects;
  for (const auto& row : read_emissions_csv(run / "emissions.csv"))
    if (row.experiment_id == "train") projects.push_back(row.project_name);
  return projects;
}

TEST(MpiTrain, TwoRanksAreBitIdenticalRunToRunAndAgreeWithOneProcess) {
  SKIP_WITHOUT_MPIRUN();
  const Task t = make_task("mpi-train-agree");
  const auto first = t.dir / "ranks-a", second = t.dir / "ranks-b", single = t.dir / "single";
  for (const auto& run : {first, second}) {
    const auto result = testing::run_cli(train_args(t, run), "", mpirun(2));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("x 2 ranks"), std::string::npos) << result.err;
  }
  const auto alone = testing::run_cli(train_args(t, single));
  ASSERT_EQ(alone.exit_code, 0) << alone.err;

  EXPECT_EQ(read_file(first / "model.safetensors"), read_file(second / "model.safetensors"));
  EXPECT_EQ(testing::deterministic_rows(first / "train_log.csv", 2),
            testing::deterministic_rows(second / "train_log.csv", 2));
  // The same global batches summed in another order: float rounding, nothing more.
  EXPECT_LT(largest_difference(first, single), 1e-4f);
  EXPECT_GT(largest_difference(first, single), 0.0f) << "the ranks did not train apart";

  const json metrics = json::parse(read_file(first / "metrics.json"));
  EXPECT_EQ(metrics["training"]["ranks"], 2);
  EXPECT_EQ(metrics["training"]["steps"], 60);
  // Two epochs of 240 papers, counted once however many ranks shared them.
  EXPECT_NEAR(metrics["training"]["sequences_per_second"].get<double>() *
                  metrics["training"]["seconds"].get<double>(),
              480, 1e-6);
  // Every rank's energy, one row per rank and training phase (one phase per epoch).
  auto projects = train_row_projects(first);
  std::sort(projects.begin(), projects.end());
  EXPECT_EQ(projects, (std::vector<std::string>{"greenbert rank 0/2", "greenbert rank 0/2",
                                                "greenbert rank 1/2", "greenbert rank 1/2"}));
  EXPECT_EQ(train_row_projects(single), (std::vector<std::string>{"greenbert", "greenbert"}));
}

// The rank of `job_dir`'s job whose environment says it is `rank` (mpirun starts every rank with
// OMPI_COMM_WORLD_RANK), or 0.
pid_t find_rank(const std::filesystem::path& job_dir, int rank) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string command_line, environment;
    try {
      command_line = read_file(entry.path() / "cmdline");
      environment = read_file(entry.path() / "environ");
    } catch (const std::exception&) {
      continue;  // gone, or not ours
    }
    const std::string marker = cat("OMPI_COMM_WORLD_RANK=", rank);
    if (command_line.find(job_dir.string()) != std::string::npos &&
        command_line.find("greenbert-mpi") != std::string::npos &&
        environment.find(std::string("\0", 1) + marker + std::string("\0", 1)) != std::string::npos)
      return static_cast<pid_t>(std::stol(name));
  }
  return 0;
}

TEST(MpiTrain, AKilledRankEndsTheJobAndOneProcessResumesItsCheckpoint) {
  SKIP_WITHOUT_MPIRUN();
  const Task t = make_task("mpi-train-kill");
  const auto straight = t.dir / "straight", killed = t.dir / "killed";
  const auto uninterrupted = testing::run_cli(train_args(t, straight), "", mpirun(2));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.err;

  const std::string args = train_args(t, killed, "--checkpoint-every 1");
  const pid_t job = testing::spawn_cli(args, t.dir / "killed.err", mpirun(2));
  pid_t rank1 = 0;
  const bool running = testing::wait_until(job, [&] {
    if (!std::filesystem::exists(checkpoint_file(checkpoint_dir(killed))) ||
        testing::line_count(killed / "train_log.csv") <= 6)
      return false;
    rank1 = find_rank(killed, 1);
    return rank1 != 0;
  });
  ASSERT_TRUE(running) << "the job ended before a rank could be killed: "
                       << read_file(t.dir / "killed.err");
  ::kill(rank1, SIGKILL);
  EXPECT_NE(testing::exit_code_of(job), 0);
  const std::string err = read_file(t.dir / "killed.err");
  EXPECT_NE(err.find("rank 1"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(killed / "metrics.json"));

  // One process continues the 2-rank run from its checkpoint, with the run's own options.
  const auto resumed = testing::run_cli(cat("train --out ", killed.string(), " --resume"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resuming"), std::string::npos) << resumed.err;
  EXPECT_LT(largest_difference(straight, killed), 1e-4f);
}

TEST(MpiTrain, PretrainOnSeveralRanksIsRefusedByName) {
  SKIP_WITHOUT_MPIRUN();
  const Task t = make_task("mpi-pretrain");
  const auto result = testing::run_cli(cat("pretrain --data ", t.data.string(), " --config ",
                                           t.config.string(), " --out ", (t.dir / "pt").string()),
                                       "", mpirun(2));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("pretrain does not train data-parallel"), std::string::npos)
      << result.err;
  EXPECT_FALSE(std::filesystem::exists(t.dir / "pt"));
}

}  // namespace
}  // namespace greenbert
