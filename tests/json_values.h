#pragma once
// Golden files store tensors as nested JSON arrays; tests compare them flattened, row-major,
// and feed their padded HF inputs to greenbert packed.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "model/batch.h"

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

// The golden file's input_ids / attention_mask / token_type_ids (B, S), packed.
inline TokenBatch golden_batch(const nlohmann::json& golden) {
  std::vector<int32_t> ids, mask, types;
  for (const auto& row : golden["input_ids"]) ids.insert(ids.end(), row.begin(), row.end());
  for (const auto& row : golden["attention_mask"]) mask.insert(mask.end(), row.begin(), row.end());
  for (const auto& row : golden["token_type_ids"])
    types.insert(types.end(), row.begin(), row.end());
  const auto batch = static_cast<int64_t>(golden["input_ids"].size());
  const auto length = static_cast<int64_t>(golden["input_ids"][0].size());
  return pack_padded(ids, mask, types, batch, length);
}

}  // namespace greenbert::testing
