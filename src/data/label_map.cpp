#include "data/label_map.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "data/terms.h"

namespace greenbert {
namespace {

constexpr const char* kFormat = "greenbert-labels";
constexpr int kVersion = 1;

}  // namespace

LabelMap::LabelMap(std::vector<std::string> names) : names_(std::move(names)) {
  ids_.reserve(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) {
    check_term(names_[i]);
    if (!ids_.emplace(names_[i], static_cast<int32_t>(i)).second) {
      fail("label '", names_[i], "' appears twice");
    }
  }
}

int32_t LabelMap::find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? -1 : it->second;
}

void LabelMap::save(const std::filesystem::path& path) const {
  nlohmann::json json = {{"format", kFormat}, {"version", kVersion}, {"labels", names_}};
  write_file_atomically(path, json.dump(2) + "\n");
}

LabelMap LabelMap::load(const std::filesystem::path& path) {
  const std::string where = path.string();
  const nlohmann::json json = read_json_file(path);
  if (!json.is_object()) fail(where, ": not a JSON object");
  auto format = json.find("format");
  if (format == json.end() || *format != kFormat) {
    fail(where, ": not a greenbert labels file (\"format\" is not \"", kFormat, "\")");
  }
  auto version = json.find("version");
  if (version == json.end() || !version->is_number_integer())
    fail(where, ": no integer \"version\"");
  if (*version != kVersion) {
    fail(where, ": version ", version->get<int64_t>(), " is not supported (this build reads ",
         kVersion, ")");
  }
  auto labels = json.find("labels");
  if (labels == json.end() || !labels->is_array()) fail(where, ": \"labels\" is not an array");
  if (labels->empty()) fail(where, ": no labels");
  std::vector<std::string> names;
  names.reserve(labels->size());
  for (const auto& label : *labels) {
    if (!label.is_string()) fail(where, ": label ", names.size(), " is not a string");
    names.push_back(label.get<std::string>());
  }
  try {
    return LabelMap(std::move(names));
  } catch (const Error& e) {
    fail(where, ": ", e.what());
  }
}

}  // namespace greenbert
