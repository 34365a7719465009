#include "core/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "core/error.h"

extern char** environ;

namespace greenbert {
namespace {

// posix_spawn's file actions and attributes, released on every path out.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    for (int fd : files) ::close(fd);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  // Output files opened here; the child gets them as its stdout/stderr.
  std::vector<int> files;
};

bool needs_quotes(const std::string& arg) {
  if (arg.empty()) return true;
  for (char c : arg) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::strchr("-_./=:,+@%", c) != nullptr;
    if (!plain) return true;
  }
  return false;
}

}  // namespace

std::string ProcessExit::describe() const {
  if (signal != 0) return cat("killed by signal ", signal, " (", strsignal(signal), ")");
  return cat("exit code ", exit_code);
}

pid_t start_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) fail("start_process: no program given");
  SpawnSetup setup;
  // Opened here, not by the child: relative to this process's directory, and never through a
  // symbolic link planted at the path (O_TRUNC would empty whatever it points to).
  auto redirect = [&](const std::filesystem::path& path, int target) {
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) fail(path.string(), ": cannot create: ", std::strerror(errno));
    setup.files.push_back(fd);
    posix_spawn_file_actions_adddup2(&setup.actions, fd, target);
  };
  if (!options.stdout_file.empty()) redirect(options.stdout_file, 1);
  if (!options.stderr_file.empty() && options.stderr_file == options.stdout_file)
    posix_spawn_file_actions_adddup2(&setup.actions, 1, 2);
  else if (!options.stderr_file.empty())
    redirect(options.stderr_file, 2);
  if (!options.working_directory.empty())
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_directory.c_str());
  // The child starts with default signal handling even if this process ignores some.
  sigset_t defaults;
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int error =
      posix_spawnp(&pid, args[0], &setup.actions, &setup.attributes, args.data(), environ);
  if (error != 0) {
    std::string where =
        options.working_directory.empty() ? "" : cat(" in ", options.working_directory.string());
    fail("cannot run '", argv[0], "'", where, ": ", std::strerror(error));
  }
  return pid;
}

ProcessExit wait_process(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail("waitpid: ", std::strerror(errno));
  }
  ProcessExit result;
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

ProcessExit run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  return wait_process(start_process(argv, options));
}

std::string shell_command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    if (!needs_quotes(arg)) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

std::filesystem::path this_executable() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) fail("cannot find this program's path (/proc/self/exe): ", error.message());
  return self;
}

}  // namespace greenbert
