#pragma once
// The CLI run in the background, for tests that kill it mid-run (a checkpointed run, resumed).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "core/error.h"
#include "support.h"

namespace greenbert::testing {

// Starts the CLI in the background (its own process, as a user's shell would), started by
// `launcher` when one is given (mpirun ...).
inline pid_t spawn_cli(const std::string& args, const std::filesystem::path& err,
                       const std::string& launcher = "") {
  const std::string command = cat("exec ", launcher, launcher.empty() ? "" : " ",
                                  cli_path().string(), " ", args, " >/dev/null 2>", err.string());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Waits (up to a minute) until `ready` or the process ends; returns whether it is still running.
inline bool wait_until(pid_t pid, const std::function<bool()>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

inline int exit_code_of(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

inline size_t line_count(const std::filesystem::path& file) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace greenbert::testing
