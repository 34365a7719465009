#pragma once
// What the main() of greenbert and of greenbert-serve do once their commands are on `app`: check
// the environment libgomp reads, parse the command line (which runs the command), and turn every
// way a command can end into greenbert's exit status (cli/exit_codes.h).
#include <CLI/CLI.hpp>

namespace greenbert::cli {

// `program` names the command line in usage errors: "greenbert", "greenbert serve".
int run_main(CLI::App& app, const char* program, int argc, char** argv);

}  // namespace greenbert::cli
