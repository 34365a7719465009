#pragma once
// Blocks of JSON that metrics.json (train) and `eval --json` share.
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/precision.h"
#include "model/config.h"

namespace greenbert {

// {"name", "model_type", "parameters", "layers", "hidden", "precision", "vocab_size"}.
nlohmann::ordered_json model_json(const std::string& name, const BertConfig& config,
                                  int64_t parameters, Precision precision);

// Energy of the rows of `csv` per experiment id (train, eval-val, eval-test...):
// {"train": {"rows", "seconds", "kwh", "kg_co2eq", "method"}, ...}; method is how the figures
// were obtained (rapl, perf, estimated; "mixed: ..." when rows differ). {} without the file.
nlohmann::ordered_json energy_json(const std::filesystem::path& csv);

}  // namespace greenbert
