#pragma once
// RUN_DIR/train_config.json: the resolved options of a `greenbert train` run, keyed by option
// name without dashes ({"data": ..., "seed": 42, "preset": "bert-tiny", "lr": 0.0005, ...}).
// Training writes it when a run starts; a re-run or --resume checks against it, and eval and
// predict take their data-preparation and input defaults from it (the same split and seed, so
// "test" is the run's test split; the same --text and --max-length the model was trained with).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/data_options.h"
#include "data/dataset.h"
#include "model/model_directory.h"

namespace greenbert::cli {

inline constexpr const char* kRunConfigFile = model_files::kRunConfig;

// The data options as train_config.json keys.
nlohmann::json data_options_json(const DataOptions& options);

// Sets each data option of `options` that the user did not give (given(key) is false; keys as in
// data_options_json, --data included) from `config` (a run's train_config.json), so eval
// re-creates the run's split. Warns on stderr about given options that differ from the run's
// (the split may then mix training and test data).
void data_options_from_run(const std::function<bool(const std::string& key)>& given,
                           const nlohmann::json& config, DataOptions& options);

// How texts are encoded for a model directory (predict, serve): the options given, else the
// training run's --max-length and --text, else the model's own length and the abstract alone.
struct RunInputEncoding {
  int64_t max_length = 0;  // 0: the model's positions, at most 512
  TextInput text = TextInput::abstract;
};
RunInputEncoding run_input_encoding(const ModelDescription& model,
                                    std::optional<int64_t> max_length, const std::string& text);
// --max-length and --text, the options run_input_encoding takes.
void add_input_encoding_options(CLI::App& command, std::optional<int64_t>& max_length,
                                std::string& text);

}  // namespace greenbert::cli
