// greenbert-mpi: one rank of `mpirun -np N greenbert train ...` (cli/mpi_command.h says why it is
// an executable of its own).
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/mpi_command.h"
#include "cli/run_main.h"
#include "core/openmp_env.h"
#include "parallel/mpi_process_group.h"

int main(int argc, char** argv) {
  greenbert::apply_openmp_wait_default(argv);
  greenbert::MpiSession mpi(&argc, &argv);
  greenbert::join_process_group(mpi.world());
  CLI::App app{greenbert::cli::kTrainOnRanks.help, "greenbert"};
  app.require_subcommand(1);
  greenbert::cli::add_train_command(app);
  // greenbert passes what followed `train` (cli/companion.h): the command is put back in front.
  std::vector<char*> args(argv, argv + argc);
  std::string train = greenbert::cli::kTrainOnRanks.command;
  args.insert(args.begin() + 1, train.data());
  const int status =
      greenbert::cli::run_main(app, "greenbert", static_cast<int>(args.size()), args.data());
  // A rank that ends early would leave the others waiting in their next sum.
  if (status != 0) mpi.abort_job(status);
  return 0;
}
