#pragma once
// The label vocabulary of a task: category names and their ids (0..size-1), saved with every
// run as labels.json.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace greenbert {

class LabelMap {
 public:
  LabelMap() = default;
  // Id i is names[i]. Throws Error when a name is not a valid term (see check_term) or repeats.
  explicit LabelMap(std::vector<std::string> names);

  int32_t size() const { return static_cast<int32_t>(names_.size()); }
  const std::string& name(int32_t id) const { return names_.at(static_cast<size_t>(id)); }
  const std::vector<std::string>& names() const { return names_; }
  // The id of `name`, or -1 when it is not a label.
  int32_t find(std::string_view name) const;

  // labels.json: {"format": "greenbert-labels", "version": 1, "labels": [names by id]}, written
  // atomically.
  void save(const std::filesystem::path& path) const;
  // Reads and checks labels.json (format, version, at least one label, valid unique names);
  // throws Error "PATH: reason".
  static LabelMap load(const std::filesystem::path& path);

  friend bool operator==(const LabelMap& a, const LabelMap& b) { return a.names_ == b.names_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> ids_;
};

}  // namespace greenbert
