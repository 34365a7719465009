#pragma once
// What the user reads when a command ends with an exception that is not a greenbert::Error: the
// library's own (std::bad_alloc, a filesystem error, a thread that cannot be started) in words
// that say what ran out and which limit applies, instead of "internal error: std::bad_alloc".
#include <exception>
#include <string>

namespace greenbert::cli {

// Prints "greenbert: error: ..." (or "greenbert: internal error: ..." for what only a bug can
// cause) on stderr and returns the exit code, 1 (cli/exit_codes.h) for both.
int report_failure(const std::exception& e);

// Checks the environment libgomp reads when it starts: OMP_NUM_THREADS (and
// OMP_THREAD_LIMIT) above max_thread_count() would make libgomp fail to create threads or the
// process grow without bound. Returns "" or the problem.
std::string openmp_environment_problem();

}  // namespace greenbert::cli
