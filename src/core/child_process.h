#pragma once
// Runs another program and waits for it: the study's stages (greenbert itself, one process per
// stage) and gnuplot for the report's plots. posix_spawn, not fork, because the caller may have
// threads running (an energy sampler).
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace greenbert {

struct ProcessOptions {
  std::filesystem::path working_directory;  // empty: the caller's
  // Relative to the caller's directory. Empty: inherited; else created or truncated.
  std::filesystem::path stdout_file;
  std::filesystem::path stderr_file;  // may be the same file as stdout_file
};

struct ProcessExit {
  int exit_code = 0;  // when it exited
  int signal = 0;     // when a signal killed it (then exit_code is 128 + signal, as shells say)
  bool ok() const { return signal == 0 && exit_code == 0; }
  // "exit code 1", "killed by signal 9 (Killed)".
  std::string describe() const;
};

// The running program's own path (/proc/self/exe): the study's stages and the companion
// executables beside it are found from it. Throws greenbert::Error when it cannot be read.
std::filesystem::path this_executable();

// Starts argv[0] (searched in PATH when it has no '/') with argv; throws greenbert::Error naming
// the program when it cannot be started (not found, not executable).
pid_t start_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});
// Waits for a process started by start_process (retrying on EINTR).
ProcessExit wait_process(pid_t pid);
ProcessExit run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// One shell-ready line: arguments quoted with '' where a shell would split or expand them.
std::string shell_command_line(const std::vector<std::string>& argv);

}  // namespace greenbert
