#include "model/thresholds.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"

namespace greenbert {
namespace {

constexpr const char* kFormat = "greenbert-thresholds";
constexpr int kVersion = 1;

}  // namespace

std::span<const float> Thresholds::effective() const {
  if (use_per_label) return per_label;
  return {&global, 1};
}

Thresholds load_thresholds(const std::filesystem::path& path,
                           const std::vector<std::string>& labels) {
  Thresholds t;
  if (!std::filesystem::exists(path)) return t;
  const auto json = read_json_file(path);
  check_json_format(json, kFormat, kVersion, path.string());
  auto valid = [&](const nlohmann::json& v, const std::string& what) {
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= 1))
      fail(path.string(), ": ", what, " must be a number in [0, 1]");
    return v.get<float>();
  };
  t.global = valid(json.contains("global") ? json["global"] : nlohmann::json(), "global");
  if (json.contains("use_per_label")) {
    if (!json["use_per_label"].is_boolean())
      fail(path.string(), ": use_per_label must be true or false");
    t.use_per_label = json["use_per_label"].get<bool>();
  }
  if (json.contains("per_label")) {
    const auto& per_label = json["per_label"];
    if (!per_label.is_object() || per_label.size() != labels.size())
      fail(path.string(), ": per_label must name each of the model's ", labels.size(), " labels");
    for (const auto& label : labels) {
      if (!per_label.contains(label)) fail(path.string(), ": per_label lacks label '", label, "'");
      t.per_label.push_back(valid(per_label[label], "per_label." + label));
    }
  }
  if (t.use_per_label && t.per_label.empty())
    fail(path.string(), ": use_per_label is true but per_label is missing");
  return t;
}

void save_thresholds(const std::filesystem::path& path, const Thresholds& t,
                     const std::vector<std::string>& labels) {
  nlohmann::ordered_json json{{"format", kFormat},
                              {"version", kVersion},
                              {"global", t.global},
                              {"use_per_label", t.use_per_label}};
  if (!t.per_label.empty()) {
    if (t.per_label.size() != labels.size())
      fail(path.string(), ": ", t.per_label.size(), " per-label thresholds for ", labels.size(),
           " labels");
    auto& per_label = json["per_label"] = nlohmann::ordered_json::object();
    for (size_t i = 0; i < labels.size(); ++i) per_label[labels[i]] = t.per_label[i];
  }
  write_file_atomically(path, json.dump(2) + "\n");
}

}  // namespace greenbert
