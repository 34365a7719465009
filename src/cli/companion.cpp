#include "cli/companion.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/child_process.h"
#include "core/error.h"

namespace greenbert::cli {

namespace {

[[noreturn]] void run_companion(const Companion& companion, std::vector<std::string> args) {
  const std::filesystem::path self = this_executable();
  const std::string path = (self.parent_path() / companion.executable).string();
  args.insert(args.begin(), path);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  execv(path.c_str(), argv.data());
  const int why = errno;
  if (why == ENOENT)
    fail(companion.command, ": ", path, " is missing: `greenbert ", companion.command,
         "` runs it, and it belongs beside ", self.string(), " (cmake --build build --target ",
         companion.executable, ")");
  fail(companion.command, ": cannot run ", path, ": ", std::strerror(why));
}

}  // namespace

std::filesystem::path companion_path(const Companion& companion) {
  return this_executable().parent_path() / companion.executable;
}

void add_companion_command(CLI::App& app, const Companion& companion) {
  auto* cmd = app.add_subcommand(companion.command, companion.help);
  // Every argument after the command, --help included, is the companion's to parse.
  cmd->prefix_command();
  cmd->set_help_flag();
  cmd->callback([cmd, &companion] { run_companion(companion, cmd->remaining()); });
}

}  // namespace greenbert::cli
