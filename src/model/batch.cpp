#include "model/batch.h"

#include <algorithm>

#include "core/error.h"

namespace greenbert {

void validate(const TokenBatch& b, const BertConfig& config) {
  const int64_t T = b.tokens();
  if (b.seq_start.empty() || b.seq_start.front() != 0 || b.seq_start.back() != T)
    fail("batch: seq_start must run from 0 to the token count ", T);
  if (b.sequences() < 1) fail("batch: no sequences");
  if (static_cast<int64_t>(b.position_ids.size()) != T)
    fail("batch: ", T, " tokens but ", b.position_ids.size(), " position ids");
  bool types = config.has_token_types() && !b.token_type_ids.empty();
  if (types && static_cast<int64_t>(b.token_type_ids.size()) != T)
    fail("batch: ", T, " tokens but ", b.token_type_ids.size(), " token type ids");
  for (int64_t s = 0; s < b.sequences(); ++s) {
    if (b.seq_start[s + 1] <= b.seq_start[s])
      fail("batch: sequence ", s, " is empty or seq_start is not increasing");
    for (int64_t t = b.seq_start[s]; t < b.seq_start[s + 1]; ++t) {
      const int64_t i = t - b.seq_start[s];
      if (b.input_ids[t] < 0 || b.input_ids[t] >= config.vocab_size)
        fail("batch: sequence ", s, " token ", i, ": input id ", b.input_ids[t],
             " is outside the vocabulary (", config.vocab_size, " tokens)");
      if (b.position_ids[t] < 0 || b.position_ids[t] >= config.max_position_embeddings)
        fail("batch: sequence ", s, " token ", i, ": position ", b.position_ids[t],
             " is outside 0..", config.max_position_embeddings - 1,
             " (max_position_embeddings); truncate longer texts");
      if (types && (b.token_type_ids[t] < 0 || b.token_type_ids[t] >= config.type_vocab_size))
        fail("batch: sequence ", s, " token ", i, ": token type ", b.token_type_ids[t],
             " is outside 0..", config.type_vocab_size - 1);
    }
  }
}

TokenBatch pack_padded(std::span<const int32_t> input_ids, std::span<const int32_t> attention_mask,
                       std::span<const int32_t> token_type_ids, int64_t batch, int64_t seq_len) {
  const size_t n = static_cast<size_t>(batch * seq_len);
  if (batch < 1 || seq_len < 1 || input_ids.size() != n || attention_mask.size() != n ||
      (!token_type_ids.empty() && token_type_ids.size() != n))
    fail("pack_padded: inputs must all hold batch × seq_len = ", batch, " × ", seq_len, " values");
  TokenBatch packed;
  for (int64_t b = 0; b < batch; ++b) {
    if (attention_mask[b * seq_len] == 0)
      fail("pack_padded: row ", b, " masks token 0, which the classification head reads");
    for (int64_t j = 0; j < seq_len; ++j) {
      const size_t at = static_cast<size_t>(b * seq_len + j);
      if (attention_mask[at] != 0 && attention_mask[at] != 1)
        fail("pack_padded: attention_mask[", b, "][", j, "] is ", attention_mask[at],
             ", expected 0 or 1");
      if (attention_mask[at] == 0) continue;
      packed.input_ids.push_back(input_ids[at]);
      packed.position_ids.push_back(static_cast<int32_t>(j));
      if (!token_type_ids.empty()) packed.token_type_ids.push_back(token_type_ids[at]);
    }
    packed.seq_start.push_back(static_cast<int32_t>(packed.input_ids.size()));
  }
  return packed;
}

}  // namespace greenbert
