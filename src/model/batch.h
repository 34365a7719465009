#pragma once
// A PACKED batch: the tokens of all sequences concatenated without padding (T tokens), with
// sequence s at [seq_start[s], seq_start[s+1]). Attention runs per sequence on its own length,
// so no work is spent on padding. Equivalent to HF's padded batch with an attention mask: drop
// the masked tokens and keep the position ids they had (pack_padded below).
#include <cstdint>
#include <span>
#include <vector>

#include "model/config.h"

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

// Checks the batch against the model: non-empty sequences, consistent sizes, ids below
// vocab_size, token types below type_vocab_size, positions below max_position_embeddings.
// Throws greenbert::Error naming the sequence and token.
void validate(const TokenBatch& batch, const BertConfig& config);

// HF inputs (batch, seq_len) row-major → packed batch: keeps tokens whose mask is 1, with
// position id = their column (HF's default position ids), so holes and left padding keep HF's
// positions. token_type_ids may be empty (zeros). Token 0 of every row must be kept: the
// classification head reads position 0 ([CLS]) as HF does.
TokenBatch pack_padded(std::span<const int32_t> input_ids, std::span<const int32_t> attention_mask,
                       std::span<const int32_t> token_type_ids, int64_t batch, int64_t seq_len);

}  // namespace greenbert
