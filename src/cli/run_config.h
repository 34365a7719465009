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

#include <nlohmann/json.hpp>

#include "cli/data_options.h"

namespace greenbert::cli {

inline constexpr const char* kRunConfigFile = "train_config.json";

// The run's config, or nullopt when `dir` has none. Throws Error for an unreadable one.
std::optional<nlohmann::json> load_run_config(const std::filesystem::path& dir);

// The input options a run was trained with, which eval and predict default to: max_length 0
// when the run does not say. Throws Error for a value of the wrong type.
struct RunInputOptions {
  int64_t max_length = 0;
  std::string text = "abstract";
};
RunInputOptions run_input_options(const nlohmann::json& config);

// The data options as train_config.json keys.
nlohmann::json data_options_json(const DataOptions& options);

// Sets each data option of `options` that the user did not give (given(key) is false; keys as in
// data_options_json, --data included) from `config` (a run's train_config.json), so eval
// re-creates the run's split. Warns on stderr about given options that differ from the run's
// (the split may then mix training and test data).
void data_options_from_run(const std::function<bool(const std::string& key)>& given,
                           const nlohmann::json& config, DataOptions& options);

}  // namespace greenbert::cli
