// Hostile files and faults, one table row each, run against the greenbert binary as a careless or
// hostile user would (issue 10): every case builds its bad files, runs the command and ends with
// a clear error and a non-zero exit, or a correct result. Memory is checked where a file could
// ask for more than it holds (peak RSS of the child against a well-formed file of the same
// kind); faults leave no mixed or torn output: a full disk mid-write (the child runs with
// RLIMIT_FSIZE and SIGXFSZ ignored, so writes fail with EFBIG part-way), symbolic links planted
// where greenbert writes (the target must stay untouched), a torn emissions sidecar, and data
// changed under a resumed run.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "energy/emissions_details.h"
#include "io_test_support.h"
#include "model/model_directory.h"
#include "support.h"
#include "train/checkpoint.h"
#include "train/trainer.h"
#include "train_support.h"

namespace greenbert {
namespace {

namespace fs = std::filesystem;
using testing::PickleWriter;

// ---- running the binary as a child with limits ---------------------------------------------

struct Invocation {
  Invocation(std::vector<std::string> arguments, std::string stdin_text = "")
      : args(std::move(arguments)), input(std::move(stdin_text)) {}

  std::vector<std::string> args;
  std::string input;                           // stdin
  rlim_t file_size_limit = RLIM_INFINITY;      // RLIMIT_FSIZE: a disk that fills at this size
  std::vector<std::pair<int, rlim_t>> limits;  // other resource limits (ulimit)
  std::vector<std::string> environment;        // extra NAME=VALUE
  std::function<void(pid_t)> before_start;     // runs while the child waits, knowing its pid
  std::function<void(pid_t)> while_running;    // runs once it started, before it is reaped
};

struct Outcome {
  int exit_code = -1;
  std::string out, err;
  long peak_rss_kib = 0;
};

Outcome run(const Invocation& call, const fs::path& dir) {
  const fs::path in = dir / ".stdin", out = dir / ".stdout", err = dir / ".stderr";
  const std::string program = testing::cli_path().string();
  write_file_atomically(in, call.input);
  int ready[2];
  if (::pipe(ready) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[1]);
    char go;
    if (::read(ready[0], &go, 1) != 1) ::_exit(126);
    const int fd_in = ::open(in.c_str(), O_RDONLY);
    const int fd_out = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fd_err = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd_in, 0);
    ::dup2(fd_out, 1);
    ::dup2(fd_err, 2);
    ::signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG, as on a full disk
    const rlimit limit{call.file_size_limit, call.file_size_limit};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    for (const auto& [resource, value] : call.limits) {
      const rlimit other{value, value};
      ::setrlimit(resource, &other);
    }
    for (const auto& variable : call.environment) ::putenv(const_cast<char*>(variable.c_str()));
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& arg : call.args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(ready[0]);
  if (call.before_start) call.before_start(pid);
  [[maybe_unused]] auto written = ::write(ready[1], "g", 1);
  ::close(ready[1]);
  if (call.while_running) call.while_running(pid);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  Outcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.out = read_file(out);
  outcome.err = read_file(err);
  outcome.peak_rss_kib = usage.ru_maxrss;
  return outcome;
}

// A clear refusal: non-zero exit, a message naming `what`, no internal error, no crash.
void expect_refused(const Outcome& o, const std::string& what) {
  EXPECT_NE(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find(what), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("internal error"), std::string::npos) << o.err;
  EXPECT_LT(o.exit_code, 128) << "killed by a signal: " << o.err;
}

// Everything under `dir`, with contents, to compare before and after a fault.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = fs::relative(entry.path(), dir).string();
    files[name] = entry.is_regular_file() ? read_file(entry.path()) : std::string("<dir>");
  }
  return files;
}

void expect_no_temporaries(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    EXPECT_FALSE(is_temporary_name(entry.path().filename().string())) << entry.path();
}

// ---- the files the cases build ----------------------------------------------------------------

// Data of the synthetic task: 300 papers.
fs::path write_data(const fs::path& dir, uint32_t seed = 11) {
  return testing::write_synthetic_csv(dir / "data.csv", 300, seed);
}

// A tiny classifier directory of the synthetic task, written with the library.
fs::path write_model(const fs::path& dir) {
  const Dataset dataset = testing::synthetic_dataset(120, 3);
  ClassifierModel model = testing::synthetic_model(dataset, 5);
  save_model(dir / "model", model);
  return dir / "model";
}

std::vector<std::string> train_args(const fs::path& dir, const fs::path& data, int epochs,
                                    const std::string& batch_size = "8") {
  return {"train",
          "--data",
          data.string(),
          "--split-ratios",
          "0.8,0.1,0.1",
          "--config",
          testing::write_tiny_config(dir / "tiny.json").string(),
          "--epochs",
          std::to_string(epochs),
          "--vocab-size",
          "120",
          "--batch-size",
          batch_size,
          "--max-length",
          "48",
          "--lr",
          "3e-3",
          "--threads",
          "1",
          "--out",
          (dir / "run").string()};
}

// Whether the child has exited, without reaping it (its pid stays its own until run() waits).
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// A training run in dir/run stopped (SIGINT, as Ctrl-C) once it has started training: its
// checkpoint is there, metrics.json is not.
void interrupted_run(const fs::path& dir, const fs::path& data) {
  Invocation call{train_args(dir, data, 8)};
  call.while_running = [log = dir / "run" / "train_log.csv"](pid_t pid) {
    while (!fs::exists(log) && !has_exited(pid))
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ::kill(pid, SIGINT);
  };
  const Outcome o = run(call, dir);
  ASSERT_EQ(o.exit_code, 128 + SIGINT) << o.err;
  ASSERT_NE(o.err.find("interrupted"), std::string::npos) << o.err;
  ASSERT_TRUE(fs::exists(checkpoint_file(checkpoint_dir(dir / "run"))));
  ASSERT_FALSE(fs::exists(dir / "run" / "metrics.json"));
}

// A torch.save-style ZIP whose `count` tensors are all views of one 4-byte storage, each of
// `shape` with strides 0: a few KB that ask for count x prod(shape) x 4 bytes.
std::string expanded_views_checkpoint(int count, const std::vector<int32_t>& shape) {
  PickleWriter pickle;
  pickle.op('}').op('(');
  for (int i = 0; i < count; ++i)
    pickle.str(cat("w", i))
        .tensor("FloatStorage", "0", 1, 0, shape, std::vector<int32_t>(shape.size(), 0));
  pickle.op('u');
  return testing::torch_zip(pickle.done(), {{"0", testing::floats({1.0f})}});
}

// A ZIP checkpoint whose pickle memoises one long string and uses it as the key of many
// storages (each persistent id is a fresh, tiny tuple): ~2 bytes per use, a copy each.
std::string memoised_key_checkpoint(size_t key_bytes, int uses) {
  PickleWriter pickle;
  pickle.op(']').str(std::string(key_bytes, 'k')).op('q').op('\x01').op('a');  // memo 1
  for (int i = 0; i < uses; ++i) {
    pickle.op('(').str("storage").global("torch", "FloatStorage").op('h').op('\x01');
    pickle.str("cpu").integer(1).op('t').op('Q').op('a');
  }
  return testing::torch_zip(pickle.done(), {});
}

// A well-formed checkpoint of about the same size, for the memory baseline.
std::string small_checkpoint() {
  std::vector<float> values(16, 1.0f);
  PickleWriter pickle;
  pickle.op('}').str("w").tensor("FloatStorage", "0", 16, 0, {4, 4}, {4, 1}).op('s');
  return testing::torch_zip(pickle.done(), {{"0", testing::floats(values)}});
}

// `energy measure` of a command that does nothing: one row and one sidecar line appended.
std::vector<std::string> energy_measure(const fs::path& csv, const fs::path& dir) {
  return {"energy", "measure", "--out", csv.string(), "--sysfs-root", (dir / "no-sysfs").string(),
          "--",     "true"};
}

long peak_rss_of_inspecting(const fs::path& dir, const std::string& bytes) {
  write_file_atomically(dir / "checkpoint.bin", bytes);
  return run({{"inspect", (dir / "checkpoint.bin").string()}}, dir).peak_rss_kib;
}

// ---- the table ------------------------------------------------------------------------------

struct HostileCase {
  std::string name;
  std::function<void(const fs::path& dir)> check;  // builds, runs and judges
};

std::vector<HostileCase> hostile_cases() {
  std::vector<HostileCase> cases;

  // 4. PyTorch checkpoints: materialised views bounded by the storage the file holds.
  cases.push_back({"TorchExpandedViewsBoundedInTotal", [](const fs::path& dir) {
                     const long baseline = peak_rss_of_inspecting(dir, small_checkpoint());
                     // 8 views of 1 GiB each over one float: 8 GiB asked by ~2.5 KB.
                     const std::string bad = expanded_views_checkpoint(8, {16384, 16384});
                     EXPECT_LT(bad.size(), 4000u);
                     write_file_atomically(dir / "bad.bin", bad);
                     const Outcome o = run({{"inspect", (dir / "bad.bin").string()}}, dir);
                     expect_refused(o, "expands to 1073741824 bytes, more than the copies");
                     EXPECT_NE(o.err.find("4 bytes of storage the file holds"), std::string::npos);
                     EXPECT_LT(o.peak_rss_kib, baseline + 16 * 1024) << "KiB";
                   }});
  cases.push_back({"TorchManySmallExpandedViewsBoundedInTotal", [](const fs::path& dir) {
                     // Each view within any per-tensor cap; their sum is not.
                     const std::string bad = expanded_views_checkpoint(400, {512, 512});
                     write_file_atomically(dir / "bad.bin", bad);
                     const Outcome o = run({{"inspect", (dir / "bad.bin").string()}}, dir);
                     expect_refused(o,
                                    "tensor w1: view of shape [512, 512] and stride [0, 0] "
                                    "expands to 1048576 bytes, more than the copies");
                   }});
  cases.push_back({"PickleMemoisedKeyCannotMultiplyTheFile", [](const fs::path& dir) {
                     const long baseline = peak_rss_of_inspecting(dir, small_checkpoint());
                     // A 256 KiB key used 5,000 times: 1.3 GB of copies from 0.5 MB.
                     const std::string bad = memoised_key_checkpoint(256 << 10, 5000);
                     EXPECT_LT(bad.size(), 600'000u);
                     write_file_atomically(dir / "bad.bin", bad);
                     const Outcome o = run({{"inspect", (dir / "bad.bin").string()}}, dir);
                     expect_refused(o, "bytes of memory");
                     // The budget: 16 MiB + 64 x the pickle; unbounded, 1.3 GB.
                     EXPECT_LT(o.peak_rss_kib, baseline + 16 * 1024 + 80 * 517) << "KiB";
                   }});

  // 5. A directory of outputs that belong together appears all at once or not at all.
  cases.push_back({"SplitOnAFullDiskLeavesThePreviousSplitWhole", [](const fs::path& dir) {
                     const fs::path data = write_data(dir);
                     const fs::path out = dir / "split";
                     // val.csv is the largest file here: train.csv fits, val.csv does not.
                     const std::vector<std::string> split = {
                         "data",           "split",    "--data", data.string(),
                         "--split-ratios", "10/80/10", "--out",  out.string()};
                     auto first = split;
                     first.insert(first.end(), {"--seed", "1"});
                     ASSERT_EQ(run({first}, dir).exit_code, 0);
                     const auto before = snapshot(out);
                     auto second = split;
                     second.insert(second.end(), {"--seed", "2"});
                     Invocation full{second};
                     full.file_size_limit = static_cast<rlim_t>(before.at("val.csv").size() / 2);
                     ASSERT_GT(full.file_size_limit, before.at("train.csv").size() * 2);
                     const Outcome o = run(full, dir);
                     expect_refused(o, "File too large");
                     EXPECT_EQ(snapshot(out), before) << "mixed or torn split";
                     expect_no_temporaries(dir);
                   }});
  cases.push_back({"SplitReplacesAPreviousSplitAtOnce", [](const fs::path& dir) {
                     const fs::path data = write_data(dir);
                     const fs::path out = dir / "split";
                     for (const char* seed : {"1", "2"})
                       ASSERT_EQ(run({{"data", "split", "--data", data.string(), "--seed", seed,
                                       "--out", out.string()}},
                                     dir)
                                     .exit_code,
                                 0);
                     const Outcome again = run({{"data", "split", "--data", data.string(), "--seed",
                                                 "2", "--out", (dir / "b").string()}},
                                               dir);
                     ASSERT_EQ(again.exit_code, 0);
                     EXPECT_EQ(snapshot(out), snapshot(dir / "b")) << "all of seed 2";
                     expect_no_temporaries(dir);
                   }});
  cases.push_back(
      {"SplitRefusesToReplaceADirectoryWithOtherFiles", [](const fs::path& dir) {
         const fs::path data = write_data(dir);
         fs::create_directories(dir / "mine");
         write_file_atomically(dir / "mine" / "notes.txt", "precious\n");
         const Outcome o = run(
             {{"data", "split", "--data", data.string(), "--out", (dir / "mine").string()}}, dir);
         expect_refused(o, "holds 'notes.txt'");
         EXPECT_EQ(read_file(dir / "mine" / "notes.txt"), "precious\n");
         EXPECT_EQ(snapshot(dir / "mine").size(), 1u);
       }});
  cases.push_back(
      {"VocabOnAFullDiskKeepsTheVocabularyAndItsConfigTogether", [](const fs::path& dir) {
         const fs::path data = write_data(dir);
         const std::vector<std::string> vocab = {"vocab", "--data", data.string(), "--out",
                                                 (dir / "v").string()};
         auto first = vocab;
         first.insert(first.end(), {"--size", "120"});
         ASSERT_EQ(run({first}, dir).exit_code, 0);
         const auto before = snapshot(dir / "v");
         auto second = vocab;
         second.insert(second.end(), {"--size", "120", "--cased"});
         Invocation full{second};
         full.file_size_limit = static_cast<rlim_t>(before.at("vocab.txt").size() / 2);
         expect_refused(run(full, dir), "File too large");
         EXPECT_EQ(snapshot(dir / "v"), before);
         expect_no_temporaries(dir);
       }});

  // 6. Appends are whole lines or nothing; a torn sidecar never stops a training.
  cases.push_back({"EmissionsAppendOnAFullDiskLeavesNoTornLine", [](const fs::path& dir) {
                     const fs::path csv = dir / "emissions.csv";
                     const auto measure = energy_measure(csv, dir);
                     ASSERT_EQ(run({measure}, dir).exit_code, 0);
                     const auto before = snapshot(dir);
                     Invocation full{measure};
                     // Room for half a row more in the CSV.
                     full.file_size_limit = static_cast<rlim_t>(
                         before.at("emissions.csv").size() +
                         (before.at("emissions.csv").size() - emissions_csv_header().size()) / 2);
                     const Outcome o = run(full, dir);
                     expect_refused(o, "File too large");  // not a stale "No such file"
                     EXPECT_EQ(o.err.find("No such file"), std::string::npos) << o.err;
                     const auto after = snapshot(dir);
                     EXPECT_EQ(after.at("emissions.csv"), before.at("emissions.csv"));
                     EXPECT_EQ(after.at("emissions_details.jsonl"),
                               before.at("emissions_details.jsonl"));
                     ASSERT_EQ(run({measure}, dir).exit_code, 0);
                     EXPECT_EQ(read_emissions_log(csv).size(), 2u);
                   }});
  cases.push_back({"AppendDropsATornTailInsteadOfGluingOntoIt", [](const fs::path& dir) {
                     const fs::path csv = dir / "emissions.csv";
                     const auto measure = energy_measure(csv, dir);
                     ASSERT_EQ(run({measure}, dir).exit_code, 0);
                     const fs::path sidecar = details_path_for(csv);
                     const std::string line = read_file(sidecar);
                     write_file_atomically(sidecar, line + line.substr(0, line.size() / 2));
                     write_file_atomically(csv, read_file(csv) + "2025-01-01T00:00:00,gre");
                     EXPECT_EQ(read_emissions_log(csv).size(), 1u) << "torn tails are no rows";
                     const Outcome o = run({measure}, dir);
                     ASSERT_EQ(o.exit_code, 0) << o.err;
                     EXPECT_NE(o.err.find("dropped a torn last line"), std::string::npos);
                     const auto log = read_emissions_log(csv);
                     ASSERT_EQ(log.size(), 2u);
                     EXPECT_TRUE(log[0].details && log[1].details);
                   }});
  cases.push_back(
      {"ResumeWithATornSidecarFinishesAndWritesMetrics", [](const fs::path& dir) {
         const fs::path data = write_data(dir);
         interrupted_run(dir, data);
         const fs::path sidecar = dir / "run" / "emissions_details.jsonl";
         const std::string text = read_file(sidecar);
         write_file_atomically(sidecar, text + text.substr(0, text.size() / 3));
         const Outcome o = run({{"train", "--out", (dir / "run").string(), "--resume"}}, dir);
         ASSERT_EQ(o.exit_code, 0) << o.err;
         const auto metrics = nlohmann::json::parse(read_file(dir / "run/metrics.json"));
         EXPECT_TRUE(metrics["energy"].contains("train")) << metrics["energy"];
         EXPECT_NO_THROW(read_emissions_log(dir / "run" / "emissions.csv"));
       }});
  cases.push_back(
      {"FinishedTrainingIsNotFailedByAGarbledEmissionsLog", [](const fs::path& dir) {
         const fs::path data = write_data(dir);
         interrupted_run(dir, data);
         // A line glued onto a fragment by an older version: unreadable, not torn.
         const fs::path sidecar = dir / "run" / "emissions_details.jsonl";
         const std::string text = read_file(sidecar);
         write_file_atomically(sidecar, text.substr(0, text.size() / 2) + text);
         const Outcome o = run({{"train", "--out", (dir / "run").string(), "--resume"}}, dir);
         ASSERT_EQ(o.exit_code, 0) << o.err;
         EXPECT_NE(o.err.find("warning: metrics.json has no energy figures"), std::string::npos)
             << o.err;
         const auto metrics = nlohmann::json::parse(read_file(dir / "run/metrics.json"));
         EXPECT_TRUE(metrics.contains("energy_error"));
       }});

  // 7. Nothing greenbert writes follows a planted symbolic link.
  cases.push_back({"PlantedTemporaryLinksAreNotFollowed", [](const fs::path& dir) {
                     const fs::path data = write_data(dir);
                     const fs::path victim = dir / "victim.txt";
                     write_file_atomically(victim, "untouched\n");
                     const fs::path csv = dir / "e" / "emissions.csv";
                     fs::create_directories(csv.parent_path());
                     // The names older versions used for their temporaries, "<file>.tmp.<pid>",
                     // planted once the pid is known and before the child runs.
                     Invocation split{{"data", "split", "--data", data.string(), "--out",
                                       (dir / "split").string()}};
                     split.before_start = [&](pid_t pid) {
                       fs::create_directories(dir / "split");
                       for (const char* name : {"train.csv", "val.csv", "test.csv", "labels.json"})
                         fs::create_symlink(victim, dir / "split" / cat(name, ".tmp.", pid));
                     };
                     // The split directory held only planted links: replacing it is fine.
                     ASSERT_EQ(run(split, dir).exit_code, 0);
                     Invocation vocab{{"vocab", "--data", data.string(), "--size", "120", "--out",
                                       (dir / "v").string()}};
                     vocab.before_start = [&](pid_t pid) {
                       fs::create_directories(dir / "v");
                       fs::create_symlink(victim, dir / "v" / cat("vocab.txt.tmp.", pid));
                       fs::create_symlink(victim, dir / cat("v.tmp.", pid));
                     };
                     ASSERT_EQ(run(vocab, dir).exit_code, 0);
                     EXPECT_EQ(read_file(victim), "untouched\n");
                     EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir / "v/vocab.txt")));
                   }});
  cases.push_back({"LinksPlantedAtOutputsAreRefusedOrReplaced", [](const fs::path& dir) {
                     const fs::path data = write_data(dir);
                     const fs::path victim = dir / "victim.txt";
                     write_file_atomically(victim, "untouched\n");
                     // An output directory that is a link.
                     fs::create_directory_symlink(dir, dir / "split-link");
                     expect_refused(run({{"data", "split", "--data", data.string(), "--out",
                                          (dir / "split-link").string()}},
                                        dir),
                                    "is a symbolic link");
                     // A line-oriented log that is a link: appends refuse it.
                     fs::create_directories(dir / "e");
                     fs::create_symlink(victim, dir / "e" / "emissions.csv");
                     expect_refused(run({energy_measure(dir / "e/emissions.csv", dir)}, dir),
                                    "emissions.csv");
                     EXPECT_EQ(read_file(victim), "untouched\n");
                   }});

  // 8. --threads and OpenMP's environment are bounded, for every command that takes them.
  for (const char* command : {"train", "eval", "predict", "quantize", "bench", "study"}) {
    cases.push_back(
        {cat("ThreadsBeyondTheBoundAreRefusedBy_", command), [command](const fs::path& dir) {
           for (const char* threads : {"20000", "100000"}) {
             const Outcome o = run({{command, "--threads", threads}}, dir);
             expect_refused(o, cat("--threads: ", threads, " is more than"));
             EXPECT_LT(o.peak_rss_kib, 200 * 1024) << "KiB";
           }
           expect_refused(run({{command, "--threads", "-3"}}, dir), "negative");
         }});
  }
  cases.push_back(
      {"ThreadsThatCannotStartAreRefusedWithTheLimits", [](const fs::path& dir) {
         // 1 GiB stacks in a 400 MB address space: libgomp would end the process.
         Invocation predict{{"predict", "--model", write_model(dir).string(), "--threads", "4"},
                            "pixela tokenb\n"};
         predict.limits = {{RLIMIT_STACK, rlim_t{1} << 30}, {RLIMIT_AS, rlim_t{400} << 20}};
         const Outcome o = run(predict, dir);
         expect_refused(o, "cannot start 4 threads");
         EXPECT_NE(o.err.find("ulimit -s 1048576 KiB"), std::string::npos) << o.err;
         EXPECT_EQ(o.err.find("libgomp"), std::string::npos) << o.err;
       }});
  cases.push_back({"OpenMpEnvironmentBeyondTheBoundIsRefused", [](const fs::path& dir) {
                     const fs::path data = write_data(dir);
                     Invocation stats{{"data", "stats", "--data", data.string()}};
                     stats.environment = {"OMP_NUM_THREADS=100000"};
                     expect_refused(run(stats, dir), "OMP_NUM_THREADS 100000 is more than");
                   }});

  // 9. A resumed run refuses data that changed since it started, unless forced.
  cases.push_back({"ResumeOnChangedDataIsRefusedUnlessForced", [](const fs::path& dir) {
                     const fs::path data = write_data(dir, 11);
                     interrupted_run(dir, data);
                     // Same size, same number of papers, other papers.
                     testing::write_synthetic_csv(data, 300, 12);
                     const std::vector<std::string> resume = {"train", "--out",
                                                              (dir / "run").string(), "--resume"};
                     const Outcome refused = run({resume}, dir);
                     expect_refused(refused, "the run started on other data");
                     EXPECT_NE(refused.err.find("--force"), std::string::npos);
                     EXPECT_FALSE(fs::exists(dir / "run" / "metrics.json"));
                     auto forced = resume;
                     forced.push_back("--force");
                     const Outcome o = run({forced}, dir);
                     ASSERT_EQ(o.exit_code, 0) << o.err;
                     EXPECT_NE(o.err.find("continuing on changed data"), std::string::npos);
                     EXPECT_TRUE(fs::exists(dir / "run" / "metrics.json"));
                   }});

  // 11. A text with no tokens is empty, whatever spaces it holds.
  cases.push_back(
      {"PredictAnswersATextOfOnlyUnicodeSpacesWithNoLabels", [](const fs::path& dir) {
         const fs::path model = write_model(dir);
         for (const std::string text :
              {"\u3000\u3000", "\u200b", " \u3000\u200b\u2003 ", "\x01\x02"}) {
           const Outcome o = run({{"predict", "--model", model.string(), "--threads", "1"},
                                  "pixela token\n" + text + "\n"},
                                 dir);
           // Answered in its place with no labels, and named in a warning.
           ASSERT_EQ(o.exit_code, 0) << o.err;
           EXPECT_NE(o.err.find("stdin:2: the text is empty (no tokens"), std::string::npos)
               << o.err;
           EXPECT_NE(o.out.find("\"empty\":true"), std::string::npos) << o.out;
         }
         const Outcome ok = run(
             {{"predict", "--model", model.string(), "--threads", "1"}, "pixela \u3000 tokenb\n"},
             dir);
         ASSERT_EQ(ok.exit_code, 0) << ok.err;
         EXPECT_NE(ok.out.find("\"probabilities\""), std::string::npos);
       }});

  // Also weak: what was too big and which limit applies, not "internal error: std::bad_alloc".
  cases.push_back({"TrainingBatchTooLargeForMemorySaysWhichLimit", [](const fs::path& dir) {
                     const fs::path data = write_data(dir);
                     const Outcome o = run({train_args(dir, data, 1, "1000000")}, dir);
                     expect_refused(o, "the activation memory of batches of 1000000 sequences");
                     EXPECT_NE(o.err.find("this process may use"), std::string::npos) << o.err;
                     EXPECT_LT(o.peak_rss_kib, 400 * 1024) << "KiB";
                   }});
  return cases;
}

void PrintTo(const HostileCase& c, std::ostream* out) {
  *out << c.name;
}

class Hostile : public ::testing::TestWithParam<HostileCase> {};

TEST_P(Hostile, EndsWithAClearErrorOrACorrectResult) {
  const fs::path dir = testing::temp_dir(cat("hostile-", GetParam().name));
  GetParam().check(dir);
}

INSTANTIATE_TEST_SUITE_P(Cases, Hostile, ::testing::ValuesIn(hostile_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace greenbert
