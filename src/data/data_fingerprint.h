#pragma once
// What a training run trains on, in a few numbers: a resumed run compares the fingerprint of
// the data it loads now with the one its checkpoint recorded, so that a data file changed in
// the meantime (re-exported, edited, half-copied) is noticed instead of silently continuing the
// run on other data.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"

namespace greenbert {

struct DataFingerprint {
  int64_t bytes = 0;     // size of the files read (three for a split directory), for messages
  int64_t examples = 0;  // train + val + test
  std::string hash;      // ContentHash of the label names and of every split's examples in order

  // Same data: the examples (their split, text and labels) and labels are what matter; the
  // file may have grown past --max-rows or been rewritten byte for byte differently.
  bool same_data(const DataFingerprint& other) const {
    return hash == other.hash && examples == other.examples;
  }
  friend bool operator==(const DataFingerprint&, const DataFingerprint&) = default;
};

DataFingerprint fingerprint_of(const Dataset& dataset);

// "12345 bytes, 171 examples, hash 0123456789abcdef".
std::string describe(const DataFingerprint& fingerprint);

nlohmann::json to_json(const DataFingerprint& fingerprint);
// Throws greenbert::Error naming `where` for a malformed object.
DataFingerprint fingerprint_from_json(const nlohmann::json& json, const std::string& where);

}  // namespace greenbert
