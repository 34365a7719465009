#pragma once
// What `greenbert predict --output OUT` leaves besides its answers, and how its shards merge.
//
// OUT.predict.json records the options that decide OUT's lines (model, input and its size, shard,
// top-k, ...) when OUT is started, and "complete" with the number of answers once the last one is
// written: --resume continues OUT only under the same options, and the merge takes only complete
// shards of one run.
//
// `--shard K/N` splits a large input between N processes (or machines): shard K classifies the
// inputs at positions K, K+N, K+2N, ... (0-based, in input order), and merge_prediction_shards puts
// their outputs back in input order. A shard's output lines are predict's lines led by the
// input's position, {"index":I,...}; the merge checks and removes it, so that the merged file is,
// byte for byte, what a single `greenbert predict` writes.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace greenbert {

struct PredictionRecord {
  nlohmann::json options;  // keyed by option name without dashes; "shard" is "K/N"
  bool complete = false;
  int64_t answers = 0;  // lines of OUT, once complete
};

std::filesystem::path prediction_record_file(const std::filesystem::path& output);
// Atomically.
void write_prediction_record(const std::filesystem::path& output, const PredictionRecord& record);
// Empty when OUT has none; throws greenbert::Error naming the file when it is not a record.
std::optional<PredictionRecord> read_prediction_record(const std::filesystem::path& output);

struct Shard {
  int64_t index = 0;  // K
  int64_t count = 1;  // N

  bool sharded() const { return count > 1; }
  bool holds(int64_t position) const { return position % count == index; }
};

// "K/N" with 0 <= K < N; throws greenbert::Error naming `option` otherwise.
Shard parse_shard(std::string_view text, const char* option);
// "K/N".
std::string shard_name(const Shard& shard);

// `line`, a JSON object with at least one member ("{...}\n"), led by "index":position.
std::string indexed_line(int64_t position, std::string_view line);

// Writes the shards' lines (`shards` in shard order, 0 to N-1) in input order to `out`
// (atomically: a failed merge leaves no partial file), without their "index"; returns how many
// lines it wrote. Throws greenbert::Error naming the file (and line) for a shard that is not
// complete (resume it with `greenbert predict --resume`), was written with other options than
// shard 0, as another shard or with another N, and for a line out of place.
int64_t merge_prediction_shards(std::span<const std::filesystem::path> shards,
                                const std::filesystem::path& out);

}  // namespace greenbert
