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
#include "core/json_fields.h"
#include "data/dataset.h"
#include "model/model_directory.h"

namespace greenbert::cli {

inline constexpr const char* kRunConfigFile = model_files::kRunConfig;

// The optimisation options `train` and `pretrain` share (the fields of the same names in
// TrainOptions and PretrainOptions), as their run files' keys. Reading throws
// nlohmann::json::exception on a missing or mistyped key.
template <class Options>
void optimization_to_json(const Options& o, nlohmann::json& json) {
  json["epochs"] = o.epochs;
  json["batch-size"] = o.batch_size;
  json["grad-accum"] = o.grad_accum;
  json["lr"] = o.lr;
  json["warmup"] = o.warmup;
  json["weight-decay"] = o.weight_decay;
  json["max-grad-norm"] = o.max_grad_norm;
  json["max-length"] = o.max_length;
  json["eval-every"] = o.eval_every;
}
template <class Options>
void optimization_from_json(const nlohmann::json& json, Options& o) {
  o.epochs = json_integer<int64_t>(json.at("epochs"), "epochs");
  o.batch_size = json_integer<int64_t>(json.at("batch-size"), "batch-size");
  o.grad_accum = json_integer<int64_t>(json.at("grad-accum"), "grad-accum");
  o.lr = json.at("lr").get<double>();
  o.warmup = json.at("warmup").get<double>();
  o.weight_decay = json.at("weight-decay").get<double>();
  o.max_grad_norm = json.at("max-grad-norm").get<double>();
  o.max_length = json_integer<int64_t>(json.at("max-length"), "max-length");
  o.eval_every = json_integer<int64_t>(json.at("eval-every"), "eval-every");
}

// A path option as run files record it, so that the same file compares equal however it was
// written: absolute, normalised, without a trailing '/' ("" stays "").
std::string recorded_path(const std::string& path);

// The data options as train_config.json keys.
nlohmann::json data_options_json(const DataOptions& options);

// Sets each data option of `options` that the user did not give (given(key) is false; keys as in
// data_options_json, --data included) from `config` (a run's options file, `source` in messages),
// so eval re-creates the run's split. Warns on stderr about given options that differ from the
// run's (the split may then mix training and test data).
void data_options_from_run(const std::function<bool(const std::string& key)>& given,
                           const nlohmann::json& config, const std::string& source,
                           DataOptions& options);

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
