#include "cli/run_config.h"

#include <cstdio>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_fields.h"

namespace greenbert::cli {

std::string recorded_path(const std::string& path) {
  if (path.empty()) return path;
  const std::filesystem::path normal = std::filesystem::absolute(path).lexically_normal();
  return (normal.has_filename() ? normal : normal.parent_path()).string();
}

nlohmann::json data_options_json(const DataOptions& o) {
  return {{"data", recorded_path(o.data)},  {"format", o.format},
          {"title-column", o.title_column}, {"text-column", o.text_column},
          {"terms-column", o.terms_column}, {"on-error", o.on_error},
          {"max-rows", o.max_rows},         {"seed", o.seed},
          {"split-ratios", o.split_ratios}, {"text", o.text}};
}

void data_options_from_run(const std::function<bool(const std::string& key)>& given,
                           const nlohmann::json& config, const std::string& source,
                           DataOptions& options) {
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
                   key.c_str(), value.dump().c_str(), config[key].dump().c_str());
    }
  }
  try {
    options.data = merged["data"].get<std::string>();
    options.format = merged["format"].get<std::string>();
    options.title_column = merged["title-column"].get<std::string>();
    options.text_column = merged["text-column"].get<std::string>();
    options.terms_column = merged["terms-column"].get<std::string>();
    options.on_error = merged["on-error"].get<std::string>();
    options.max_rows = json_integer<int64_t>(merged["max-rows"], cat(source, ": max-rows"));
    options.seed = json_integer<uint64_t>(merged["seed"], cat(source, ": seed"));
    options.split_ratios = merged["split-ratios"].get<std::string>();
    options.text = merged["text"].get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    fail(source, ": bad data option: ", e.what());
  }
}

RunInputEncoding run_input_encoding(const ModelDescription& model,
                                    std::optional<int64_t> max_length, const std::string& text) {
  RunInputEncoding encoding;
  encoding.max_length = max_length.value_or(model.run_max_length);
  encoding.text = parse_text_input(text).value_or(model.run_text);
  return encoding;
}

void add_input_encoding_options(CLI::App& command, std::optional<int64_t>& max_length,
                                std::string& text) {
  command
      .add_option("--max-length", max_length,
                  "Truncate texts to this many tokens (default: the training run's, else the "
                  "model's positions, at most 512)")
      ->check(CLI::Range(3, 1 << 20));
  command
      .add_option("--text", text,
                  "How inputs with a title are fed: abstract or title+abstract (default: as the "
                  "training run)")
      ->check(CLI::IsMember({"abstract", "title+abstract"}));
}

}  // namespace greenbert::cli
