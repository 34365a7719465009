#pragma once
// Every subcommand lives in its own file and registers itself on the top-level app here.
// Each add_* function adds a subcommand whose callback does the work and throws
// greenbert::Error on anything the user can fix. `serve` and `export` run as executables of their
// own (cli/companion.h).
#include <CLI/CLI.hpp>

namespace greenbert::cli {

void add_info_command(CLI::App& app);
void add_energy_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_vocab_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_study_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_pretrain_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_merge_predictions_command(CLI::App& app);
void add_quantize_command(CLI::App& app);
void add_bench_command(CLI::App& app);

}  // namespace greenbert::cli
