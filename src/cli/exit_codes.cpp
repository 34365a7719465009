#include "cli/exit_codes.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

namespace greenbert::cli {

const char* const kExitCodesHelp =
    "Exit status: 0 done; 1 error (the message says what and where); 2 usage error (unknown "
    "command or option, bad or missing value: see COMMAND --help); 128+N stopped by signal N "
    "after saving its work (130 Ctrl-C, 143 SIGTERM: train and study say how to resume). "
    "`energy measure` exits with its command's status.\n";

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

struct UnknownCommand {
  std::string message;
  std::string path;  // "greenbert energy": where it was looked for
};

// Follows argv's command words down the subcommands; the first word that names none, where a
// command is expected, is the unknown one. CLI11 says only "A subcommand is required" or "The
// following argument was not expected".
std::optional<UnknownCommand> unknown_command(const CLI::App& app, const std::string& program,
                                              int argc, const char* const* argv) {
  const CLI::App* at = &app;
  std::string path = program;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    const auto commands = at->get_subcommands([](const CLI::App*) { return true; });
    if (word.empty() || word[0] == '-' || commands.empty()) return std::nullopt;
    const auto known = std::find_if(commands.begin(), commands.end(),
                                    [&](const CLI::App* c) { return c->check_name(argv[i]); });
    if (known != commands.end()) {
      at = *known;
      path += " " + at->get_name();
      continue;
    }
    std::string names, closest;
    size_t best = 3;  // suggest only a near miss: a typo, not another command
    for (const CLI::App* command : commands) {
      names += cat(names.empty() ? "" : ", ", command->get_name());
      const size_t distance = edit_distance(word, command->get_name());
      if (distance < best) best = distance, closest = command->get_name();
    }
    return UnknownCommand{cat("unknown command '", word, "'",
                              closest.empty() ? "" : cat(" (did you mean '", closest, "'?)"),
                              "; the commands of ", path, " are: ", names),
                          path};
  }
  return std::nullopt;
}

// Options that were renamed, so that an old script's spelling gets a pointer to the new one.
struct RenamedOption {
  std::string_view old_name, new_name;
};
constexpr RenamedOption kRenamedOptions[] = {{"--split", "--split-ratios"}};

std::string renamed_options_hint(const CLI::ParseError& error, int argc, const char* const* argv) {
  if (dynamic_cast<const CLI::ExtrasError*>(&error) == nullptr) return "";
  std::string hint;
  for (int i = 1; i < argc; ++i)
    for (const auto& renamed : kRenamedOptions)
      if (argv[i] == renamed.old_name)
        hint += cat(" (", renamed.old_name, " is now ", renamed.new_name, " here)");
  return hint;
}

// "greenbert data split": the deepest command the parser got to.
std::string command_path(const CLI::App& app, const std::string& program) {
  std::string path = program;
  const CLI::App* at = &app;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  return path;
}

}  // namespace

int report_parse_error(const CLI::App& app, const std::string& program,
                       const CLI::ParseError& error, int argc, const char* const* argv) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
  if (dynamic_cast<const CLI::RuntimeError*>(&error) != nullptr) return error.get_exit_code();
  std::string message = error.what() + renamed_options_hint(error, argc, argv);
  std::string path = command_path(app, program);
  if (auto unknown = unknown_command(app, program, argc, argv)) {
    message = unknown->message;
    path = unknown->path;
  }
  std::fprintf(stderr, "greenbert: usage error: %s\nRun '%s --help' for its options.\n",
               message.c_str(), path.c_str());
  return kExitUsage;
}

}  // namespace greenbert::cli
