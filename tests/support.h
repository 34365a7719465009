#pragma once
// Shared helpers for tests: where the repository and ../shared are, and how a test that needs
// ../shared behaves when it is absent (skip visibly locally, fail under CI=true).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace greenbert::testing {

inline std::filesystem::path source_dir() {
  return GREENBERT_SOURCE_DIR;
}
inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("GREENBERT_SHARED")) return env;
  return source_dir().parent_path() / "shared";
}
inline std::filesystem::path cli_path() {
  return GREENBERT_CLI;
}
inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the greenbert binary with `args` (already shell-quoted where needed) and `input` on
// stdin, started by `launcher` when one is given (mpirun ...); captures stdout and stderr
// separately.
inline CliResult run_cli(const std::string& args, const std::string& input = "",
                         const std::string& launcher = "") {
  auto dir = std::filesystem::temp_directory_path();
  static int calls = 0;
  auto stamp = std::to_string(::getpid()) + "-" + std::to_string(++calls);
  auto in_path = dir / ("greenbert-cli-in-" + stamp);
  auto out_path = dir / ("greenbert-cli-out-" + stamp);
  auto err_path = dir / ("greenbert-cli-err-" + stamp);
  std::ofstream(in_path, std::ios::binary) << input;
  std::string command = launcher + (launcher.empty() ? "" : " ") + cli_path().string() + " " +
                        args + " <" + in_path.string() + " >" + out_path.string() + " 2>" +
                        err_path.string();
  int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::filesystem::remove(in_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

// The directories temp_dir made, removed when the test process that made them exits (ctest
// runs every test in its own process), unless GREENBERT_KEEP_TEST_DIRS is set for a post-mortem.
// A forked child (which inherits this object) never removes its parent's directories.
class TempDirs {
 public:
  void add(const std::filesystem::path& dir) { dirs_.push_back(dir); }
  ~TempDirs() {
    if (::getpid() != owner_ || std::getenv("GREENBERT_KEEP_TEST_DIRS") != nullptr) return;
    std::error_code ignored;
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ignored);
  }

 private:
  pid_t owner_ = ::getpid();
  std::vector<std::filesystem::path> dirs_;
};

inline TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}

// A fresh empty directory under the system temp area, removed at the start of each use and when
// the test process exits. The process id keeps tests that ctest runs in parallel processes out
// of each other's way.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("greenbert-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  temp_dirs().add(dir);
  return dir;
}

}  // namespace greenbert::testing

// Declares `var` as the path under ../shared; skips the test visibly when it is missing, or
// fails it under CI=true (CI must always have ../shared).
#define GREENBERT_SHARED_PATH(var, relative)                                                     \
  const std::filesystem::path var = ::greenbert::testing::shared_dir() / (relative);             \
  if (!std::filesystem::exists(var)) {                                                           \
    if (::greenbert::testing::running_in_ci()) FAIL() << "CI=true but " << var << " is missing"; \
    GTEST_SKIP() << var << " is missing (../shared is not beside the repository)";               \
  }
