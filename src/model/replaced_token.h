#pragma once
// Replaced-token detection, ELECTRA's discriminator objective (HF ElectraForPreTraining):
//   h = GELU(hidden · W1ᵀ + b1)   (T, C);   logit = h · w2ᵀ + b2   (T)
//   loss = mean over all T tokens of binary cross-entropy(logit, replaced)
// `replaced` is 1 where a token of the input is not the original text's. The discriminator is
// the encoder itself (model/bert.h); requires a layout built with
// LayoutOptions::replaced_token_head.
//
// And the generator's side: sampling a replacement for each masked position from the
// generator's masked-LM output (model/masked_lm.h).
#include <cstdint>
#include <span>

#include "model/activations.h"
#include "model/config.h"
#include "model/masked_lm.h"
#include "model/parameters.h"
#include "tensor/aligned_array.h"

namespace greenbert {

// State of the head for up to `max_tokens` tokens, reused across steps.
class ReplacedTokenActivations {
 public:
  ReplacedTokenActivations(const BertConfig& config, int64_t max_tokens);
  int64_t max_tokens() const { return max_tokens_; }

  float* pre = nullptr;     // (T, C) dense output, GELU input
  float* act = nullptr;     // (T, C) GELU output; in backward its gradient
  float* logits = nullptr;  // (T) after the forward pass: weight · d loss / d logits
  float* d_pre = nullptr;   // (T, C)
  int64_t hits = 0;         // tokens the last forward pass classified right (logit > 0: replaced)

 private:
  int64_t max_tokens_ = 0;
  AlignedArray<float> arena_;
};

// After encoder_forward over T tokens: returns the mean binary cross-entropy against
// `replaced` (T values, 0 or 1) and leaves `weight` · d loss / d logits for the backward pass
// (the loss a step minimises is weight × this one, ELECTRA's λ).
float replaced_token_forward(const BertConfig& config, const ParameterBuffer& params,
                             const Activations& acts, std::span<const float> replaced, float weight,
                             ReplacedTokenActivations& rtd);
// Accumulates the head's gradients and SETS acts.d_hidden (T, C); then call encoder_backward.
void replaced_token_backward(const BertConfig& config, const ParameterBuffer& params,
                             Activations& acts, ReplacedTokenActivations& rtd,
                             ParameterBuffer& grads);

// The generator's prediction for each masked token, read back from masked_lm_forward's output
// (which holds (softmax - onehot(label)) / M): a token sampled from the softmax, one uniform
// draw per masked token (counter-based from `seed`), written into `ids` at the masked
// positions. Returns how many differ from the original tokens. `is_replaced` (T values) is set
// to 1 where they do and 0 elsewhere.
int64_t sample_replacements(const BertConfig& config, const MaskedTokens& masked,
                            const MaskedLmActivations& mlm, uint64_t seed, std::span<int32_t> ids,
                            std::span<float> is_replaced);

}  // namespace greenbert
