// greenbert: energy-efficient multi-label classification of arXiv papers with BERT models.
// This file only dispatches; each subcommand lives in its own file (see commands.h).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/export_command.h"
#include "cli/mpi_command.h"
#include "cli/run_main.h"
#include "cli/serve_command.h"
#include "core/openmp_env.h"
#include "core/process_group.h"

int main(int argc, char** argv) {
  greenbert::apply_openmp_wait_default(argv);
  CLI::App app{
      "greenbert: train, quantize, benchmark and serve BERT-family multi-label "
      "classifiers of arXiv papers on a CPU, with energy and CO2 accounting"};
  app.set_version_flag("--version", GREENBERT_VERSION);
  app.require_subcommand(1);
  app.footer(greenbert::cli::kExitCodesHelp);
  greenbert::cli::add_info_command(app);
  greenbert::cli::add_energy_command(app);
  greenbert::cli::add_tokenize_command(app);
  greenbert::cli::add_vocab_command(app);
  greenbert::cli::add_inspect_command(app);
  greenbert::cli::add_data_command(app);
  greenbert::cli::add_study_command(app);
  greenbert::cli::add_report_command(app);
  if (greenbert::started_as_one_of_several_ranks())
    greenbert::cli::add_companion_command(app, greenbert::cli::kTrainOnRanks);
  else
    greenbert::cli::add_train_command(app);
  greenbert::cli::add_pretrain_command(app);
  greenbert::cli::add_eval_command(app);
  greenbert::cli::add_predict_command(app);
  greenbert::cli::add_merge_predictions_command(app);
  greenbert::cli::add_quantize_command(app);
  greenbert::cli::add_bench_command(app);
  greenbert::cli::add_companion_command(app, greenbert::cli::kExport);
  greenbert::cli::add_companion_command(app, greenbert::cli::kServe);
  return greenbert::cli::run_main(app, "greenbert", argc, argv);
}
