#pragma once
// Masked-language-model head and loss, for pre-training small models on the corpus before
// fine-tuning them as classifiers. HF's BertLMPredictionHead / DistilBertForMaskedLM math:
//   h = LayerNorm(GELU(hidden[masked] · Wᵀ + b));  logits = h · word_embeddingsᵀ + bias
//   loss = mean over masked tokens of softmax cross-entropy with the original token
// The decoder weight IS the word embedding matrix (tied): its gradient adds to the embeddings'.
// Requires a layout built with LayoutOptions::masked_lm_head.
#include <cstdint>
#include <span>
#include <vector>

#include "model/activations.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/parameters.h"
#include "tensor/aligned_array.h"
#include "text/vocab.h"

namespace greenbert {

// Which tokens of a packed batch the loss is computed on, and what they were.
struct MaskedTokens {
  std::vector<int32_t> positions;  // token indices in the packed batch, each < T
  std::vector<int32_t> labels;     // original token ids, < vocab_size
};

// HF DataCollatorForLanguageModeling's recipe: each non-special token is chosen with
// `probability`; a chosen token becomes mask_token_id 80% of the time, a random token 10%, and
// stays 10%. Deterministic for a seed (counter-based draws). At least one token is chosen when
// the batch has any non-special token.
//
// Whole-word masking (DataCollatorForWholeWordMask's choice): with `continuation` set, words are
// chosen instead of tokens — a word is a token and the "##" pieces that follow it, chosen with
// `probability` by the draw of its first token, all of its pieces or none; the 80/10/10
// replacement then applies to each chosen token.
struct MaskingOptions {
  double probability = 0.15;
  int32_t mask_token_id = 103;  // [MASK] in the uncased BERT vocabulary
  std::vector<int32_t> special_token_ids = {0, 100, 101, 102, 103};  // never chosen
  // Empty, or one flag per vocabulary id: 1 for a piece that continues a word ("##ing").
  std::vector<uint8_t> continuation;
};
// The `continuation` flags of a vocabulary: 1 for every token spelled "##...".
std::vector<uint8_t> continuation_flags(const Vocab& vocab);
MaskedTokens mask_tokens(TokenBatch& batch, const BertConfig& config, const MaskingOptions& options,
                         uint64_t seed);

// State of the head for up to `max_masked` tokens, reused across steps.
class MaskedLmActivations {
 public:
  MaskedLmActivations(const BertConfig& config, int64_t max_masked);
  int64_t max_masked() const { return max_masked_; }

  float* gathered = nullptr;       // (M, C) encoder output at the masked positions
  float* pre = nullptr;            // (M, C) dense output, GELU input
  float* act = nullptr;            // (M, C) GELU output, LayerNorm input
  float* mean = nullptr;           // (M)
  float* rstd = nullptr;           // (M)
  float* transformed = nullptr;    // (M, C) LayerNorm output, decoder input
  float* logits = nullptr;         // (M, vocab); after the forward pass: d loss / d logits
  float* row_loss = nullptr;       // (M)
  float* d_transformed = nullptr;  // (M, C)
  float* d_gathered = nullptr;     // (M, C)

 private:
  int64_t max_masked_ = 0;
  AlignedArray<float> arena_;
};

// After encoder_forward: returns the mean cross-entropy, and leaves d loss / d logits for the
// backward pass.
float masked_lm_forward(const BertConfig& config, const ParameterBuffer& params,
                        const Activations& acts, const MaskedTokens& masked,
                        MaskedLmActivations& mlm);
// Accumulates the head's gradients (and the tied decoder's into the word embeddings) and SETS
// acts.d_hidden (T, C); then call encoder_backward.
void masked_lm_backward(const BertConfig& config, const ParameterBuffer& params, Activations& acts,
                        const MaskedTokens& masked, MaskedLmActivations& mlm,
                        ParameterBuffer& grads);

// Masked tokens the head predicts right (the argmax of its softmax is the label), read back
// from what masked_lm_forward left in mlm.logits ((softmax - onehot(label)) / M).
int64_t masked_lm_hits(const BertConfig& config, const MaskedTokens& masked,
                       const MaskedLmActivations& mlm);

}  // namespace greenbert
