// greenbert's `serve` command: executes greenbert-serve, found beside greenbert's own executable,
// with the arguments that follow `serve` (cli/serve_command.h says why it is apart).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "cli/serve_command.h"
#include "core/error.h"

namespace greenbert::cli {

namespace {

[[noreturn]] void run_serve(std::vector<std::string> args) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error)
    fail("serve: cannot find greenbert's own executable (/proc/self/exe): ", error.message());
  const std::string server = (self.parent_path() / kServeExecutable).string();
  args.insert(args.begin(), server);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  execv(server.c_str(), argv.data());
  const int why = errno;
  if (why == ENOENT)
    fail("serve: ", server, " is missing: `greenbert serve` runs it, and it belongs beside ",
         self.string(), " (cmake --build build --target ", kServeExecutable, ")");
  fail("serve: cannot run ", server, ": ", std::strerror(why));
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", kServeHelp);
  // Every argument after `serve`, --help included, is greenbert-serve's to parse.
  cmd->prefix_command();
  cmd->set_help_flag();
  cmd->callback([cmd] { run_serve(cmd->remaining()); });
}

}  // namespace greenbert::cli
