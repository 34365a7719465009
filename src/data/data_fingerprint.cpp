#include "data/data_fingerprint.h"

#include <filesystem>

#include "core/content_hash.h"
#include "core/error.h"
#include "core/json_fields.h"

namespace greenbert {

DataFingerprint fingerprint_of(const Dataset& dataset) {
  DataFingerprint f;
  for (const ReadReport& read : dataset.reads) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(read.file, ec);
    if (!ec) f.bytes += static_cast<int64_t>(size);
  }
  ContentHash hash;
  hash.add(static_cast<int64_t>(dataset.labels.names().size()));
  for (const auto& name : dataset.labels.names()) hash.add(name);
  for (const auto* split : {&dataset.train, &dataset.val, &dataset.test}) {
    hash.add(static_cast<int64_t>(split->size()));
    for (const Example& e : *split) {
      hash.add(e.title);
      hash.add(e.abstract);
      hash.add(static_cast<int64_t>(e.labels.size()));
      for (int32_t label : e.labels) hash.add(int64_t{label});
      hash.add(static_cast<int64_t>(e.unseen_terms.size()));
      for (const auto& term : e.unseen_terms) hash.add(term);
    }
    f.examples += static_cast<int64_t>(split->size());
  }
  f.hash = hash.hex();
  return f;
}

std::string describe(const DataFingerprint& f) {
  return cat(f.bytes, " bytes, ", f.examples, " examples, hash ", f.hash);
}

nlohmann::json to_json(const DataFingerprint& f) {
  return {{"bytes", f.bytes}, {"examples", f.examples}, {"hash", f.hash}};
}

DataFingerprint fingerprint_from_json(const nlohmann::json& json, const std::string& where) {
  DataFingerprint f;
  try {
    f.bytes = json_integer<int64_t>(json.at("bytes"), "bytes");
    f.examples = json_integer<int64_t>(json.at("examples"), "examples");
    f.hash = json.at("hash").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    fail(where, ": data fingerprint: ", e.what());
  }
  return f;
}

}  // namespace greenbert
