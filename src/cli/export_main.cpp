// greenbert-export: `greenbert export` as an executable of its own (cli/export_command.h says why).
#include "cli/export_command.h"
#include "cli/run_main.h"
#include "core/openmp_env.h"

int main(int argc, char** argv) {
  greenbert::apply_openmp_wait_default(argv);
  CLI::App app{greenbert::cli::kExport.help, "greenbert export"};
  greenbert::cli::add_export_options(app);
  return greenbert::cli::run_main(app, "greenbert export", argc, argv);
}
