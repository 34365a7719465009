#pragma once
// A PACKED batch: the tokens of all sequences concatenated without padding (T tokens), with
// sequence s at [seq_start[s], seq_start[s+1]). Attention runs per sequence on its own length,
// so no work is spent on padding. Equivalent to HF's padded batch with an attention mask: drop
// the masked tokens and keep the position ids they had (model/batch.h's pack_padded).
#include <cstdint>
#include <span>
#include <vector>

namespace greenbert {

struct TokenBatch {
  std::vector<int32_t> input_ids;       // (T)
  std::vector<int32_t> token_type_ids;  // (T), or empty: all 0 (always ignored by DistilBERT)
  std::vector<int32_t> position_ids;    // (T)
  std::vector<int32_t> seq_start{0};    // (B + 1), seq_start[0] = 0, seq_start[B] = T

  int64_t tokens() const { return static_cast<int64_t>(input_ids.size()); }
  int64_t sequences() const { return static_cast<int64_t>(seq_start.size()) - 1; }
  int64_t length(int64_t s) const { return seq_start[s + 1] - seq_start[s]; }
  int64_t max_length() const;

  // Empties the batch, keeping the allocated capacity (for reuse across steps).
  void clear();
  // Appends one sequence with positions 0..n-1; `types` empty means all 0.
  void add_sequence(std::span<const int32_t> ids, std::span<const int32_t> types = {});
};

}  // namespace greenbert
