#pragma once
// A packed batch (data/token_batch.h) as a model takes it: checked against its config, or made
// from HF's padded inputs (drop the masked tokens, keep the position ids they had).
#include <cstdint>
#include <span>
#include <vector>

#include "data/token_batch.h"
#include "model/config.h"

namespace greenbert {

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
