#include "cli/run_main.h"

#include <cstdio>
#include <exception>
#include <string>

#include "cli/exit_codes.h"
#include "cli/failure_report.h"
#include "core/error.h"

namespace greenbert::cli {

int run_main(CLI::App& app, const char* program, int argc, char** argv) {
  if (const std::string problem = openmp_environment_problem(); !problem.empty()) {
    std::fprintf(stderr, "greenbert: error: %s\n", problem.c_str());
    return kExitError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, program, e, argc, argv);
  } catch (const StoppedBySignal& e) {
    std::fprintf(stderr, "greenbert: %s\n", e.what());
    return 128 + e.signal;
  } catch (const Error& e) {
    std::fprintf(stderr, "greenbert: error: %s\n", e.what());
    return kExitError;
  } catch (const std::exception& e) {
    return report_failure(e);
  }
  return 0;
}

}  // namespace greenbert::cli
