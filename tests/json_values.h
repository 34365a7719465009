#pragma once
// Golden files store tensors as nested JSON arrays; tests compare them flattened, row-major.
#include <nlohmann/json.hpp>
#include <vector>

namespace greenbert::testing {

inline std::vector<double> flatten(const nlohmann::json& nested) {
  std::vector<double> out;
  for (const auto& v : nested) {
    if (!v.is_array()) {
      out.push_back(v.get<double>());
      continue;
    }
    const auto inner = flatten(v);
    out.insert(out.end(), inner.begin(), inner.end());
  }
  return out;
}

}  // namespace greenbert::testing
