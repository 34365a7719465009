#pragma once
// `--threads` of every command that computes: one option, one bound (core/threads.h), so that
// no command can be asked for 20,000 threads.
#include <CLI/CLI.hpp>

namespace greenbert::cli {

// Adds --threads N (0: the physical cores), refusing N outside [0, max_thread_count()] while
// the command line is parsed. `help` says what the threads run.
void add_threads_option(CLI::App& command, int& threads, const std::string& help = "Threads");

}  // namespace greenbert::cli
