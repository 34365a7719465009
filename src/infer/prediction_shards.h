#pragma once
// `greenbert predict --shard K/N` splits a large input between N processes (or machines): shard K
// classifies the inputs at positions K, K+N, K+2N, ... (0-based, in input order), and
// merge_prediction_shards puts their outputs back in input order. A shard's output lines are
// predict's lines led by the input's position, {"index":I,...}; the merge checks and removes it,
// so that the merged file is, byte for byte, what a single `greenbert predict` writes.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace greenbert {

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
// lines it wrote. Throws greenbert::Error "FILE:LINE: reason" for a line out of place (files given
// in another order, or written with another N) and for an incomplete shard (one that ends, or
// ends in a torn line, while another goes on): resume it with `greenbert predict --resume`.
int64_t merge_prediction_shards(std::span<const std::filesystem::path> shards,
                                const std::filesystem::path& out);

}  // namespace greenbert
