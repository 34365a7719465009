// greenbert-serve: `greenbert serve` as an executable of its own (cli/serve_command.h says why).
#include "cli/run_main.h"
#include "cli/serve_command.h"
#include "core/openmp_env.h"

int main(int argc, char** argv) {
  greenbert::apply_openmp_wait_default(argv);
  CLI::App app{greenbert::cli::kServe.help, "greenbert serve"};
  greenbert::cli::add_serve_options(app);
  return greenbert::cli::run_main(app, "greenbert serve", argc, argv);
}
