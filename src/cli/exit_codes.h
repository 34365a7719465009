#pragma once
// greenbert's exit statuses, the shell's conventions, the same for every command:
//   0        done
//   1        an error the message explains (a bad file, a failed stage, an internal error)
//   2        a usage error: unknown command or option, a missing or malformed value, options
//            that do not go together (CLI11's own codes, 100-115, are never used)
//   128 + N  stopped by signal N after saving its work (train, study: 130 for Ctrl-C, 143 for
//            SIGTERM); a second signal ends the process at once, which a shell reports alike
// `energy measure -- CMD` exits with CMD's status instead, as `time` does.
#include <CLI/CLI.hpp>

#include <string>

#include "core/error.h"

namespace greenbert::cli {

inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// For `greenbert --help`'s footer.
extern const char* const kExitCodesHelp;

// Work that stopped cleanly on a signal, its state saved (a training checkpoint, a study's
// manifest); the message says how to resume. main exits 128 + signal.
struct StoppedBySignal : Error {
  StoppedBySignal(int signal, const std::string& message) : Error(message), signal(signal) {}
  int signal;
};

// Throws a usage error from a command's own checks of its options (exit 2, as CLI11's are).
template <typename... Args>
[[noreturn]] void usage_error(const Args&... args) {
  throw CLI::ValidationError(cat(args...));
}

// Says what was wrong with the command line of `program` ("greenbert", "greenbert serve"),
// naming an unknown command, which CLI11 does not, and returns the exit status: 0 for --help and
// --version, the command's own for `energy measure`, else kExitUsage.
int report_parse_error(const CLI::App& app, const std::string& program,
                       const CLI::ParseError& error, int argc, const char* const* argv);

}  // namespace greenbert::cli
