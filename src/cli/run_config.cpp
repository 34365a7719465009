#include "cli/run_config.h"

#include <cstdio>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"

namespace greenbert::cli {

std::optional<nlohmann::json> load_run_config(const std::filesystem::path& dir) {
  const auto path = dir / kRunConfigFile;
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto json = read_json_file(path);
  if (!json.is_object()) fail(path.string(), ": not a JSON object");
  return json;
}

RunInputOptions run_input_options(const nlohmann::json& config) {
  RunInputOptions options;
  try {
    options.max_length = config.value("max-length", options.max_length);
    options.text = config.value("text", options.text);
  } catch (const nlohmann::json::exception& e) {
    fail(kRunConfigFile, ": ", e.what());
  }
  return options;
}

nlohmann::json data_options_json(const DataOptions& o) {
  return {
      {"data", o.data.empty() ? "" : std::filesystem::absolute(o.data).lexically_normal().string()},
      {"format", o.format},
      {"title-column", o.title_column},
      {"text-column", o.text_column},
      {"terms-column", o.terms_column},
      {"on-error", o.on_error},
      {"max-rows", o.max_rows},
      {"seed", o.seed},
      {"split", o.split},
      {"text", o.text}};
}

void data_options_from_run(const std::function<bool(const std::string& key)>& given,
                           const nlohmann::json& config, DataOptions& options) {
  const nlohmann::json now = data_options_json(options);
  nlohmann::json merged = now;
  for (const auto& [key, value] : now.items()) {
    if (!config.contains(key)) continue;
    if (!given(key)) {
      merged[key] = config[key];
    } else if (value != config[key]) {
      std::fprintf(stderr,
                   "greenbert: warning: --%s %s differs from the training run's %s: the split "
                   "may differ from the run's, and its examples may have been trained on\n",
                   (key == "split" ? "split-ratios" : key).c_str(), value.dump().c_str(),
                   config[key].dump().c_str());
    }
  }
  try {
    options.data = merged["data"].get<std::string>();
    options.format = merged["format"].get<std::string>();
    options.title_column = merged["title-column"].get<std::string>();
    options.text_column = merged["text-column"].get<std::string>();
    options.terms_column = merged["terms-column"].get<std::string>();
    options.on_error = merged["on-error"].get<std::string>();
    options.max_rows = merged["max-rows"].get<int64_t>();
    options.seed = merged["seed"].get<uint64_t>();
    options.split = merged["split"].get<std::string>();
    options.text = merged["text"].get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    fail(kRunConfigFile, ": bad data option: ", e.what());
  }
}

}  // namespace greenbert::cli
