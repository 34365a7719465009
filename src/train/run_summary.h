#pragma once
// The energy block of metrics.json.
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace greenbert {

// Energy of the rows of `csv` per experiment id (train, eval-val, eval-test...):
// {"train": {"rows", "seconds", "kwh", "kg_co2eq", "method"}, ...}; method is how the figures
// were obtained (rapl, perf, estimated; "mixed: ..." when rows differ). {} without the file.
nlohmann::ordered_json energy_json(const std::filesystem::path& csv);

}  // namespace greenbert
