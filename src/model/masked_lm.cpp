#include "model/masked_lm.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/splitmix64.h"
#include "kernels/dropout.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/layernorm.h"
#include "kernels/loss.h"
#include "kernels/reduce.h"
#include "tensor/arena.h"

namespace greenbert {

MaskedTokens mask_tokens(TokenBatch& batch, const BertConfig& config, const MaskingOptions& options,
                         uint64_t seed) {
  if (!(options.probability > 0.0 && options.probability <= 1.0))
    fail("masking probability must be in (0, 1], got ", options.probability);
  if (options.mask_token_id < 0 || options.mask_token_id >= config.vocab_size)
    fail("mask token id ", options.mask_token_id, " is outside the vocabulary");
  auto special = [&](int32_t id) {
    return std::find(options.special_token_ids.begin(), options.special_token_ids.end(), id) !=
           options.special_token_ids.end();
  };
  // Three independent uniform draws per token from counter-based streams.
  const uint64_t key = splitmix64_mix(seed ^ 0x6d61736b6564ull);
  auto uniform = [&](uint64_t token, uint64_t draw) {
    return static_cast<double>(splitmix64_at(key, 3 * token + draw) >> 11) * 0x1.0p-53;
  };
  const bool whole_words = !options.continuation.empty();
  if (whole_words && static_cast<int64_t>(options.continuation.size()) != config.vocab_size)
    fail("whole-word masking: ", options.continuation.size(), " continuation flags for a ",
         config.vocab_size, "-token vocabulary");
  MaskedTokens masked;
  int64_t first_candidate = -1;
  bool word_chosen = false;  // of the word the previous token belongs to
  bool in_word = false;      // whether the previous token was a (non-special) word piece
  for (int64_t t = 0; t < batch.tokens(); ++t) {
    const int32_t id = batch.input_ids[t];
    if (special(id)) {
      in_word = false;
      continue;
    }
    if (first_candidate < 0) first_candidate = t;
    const bool continues = whole_words && in_word && options.continuation[size_t(id)] != 0;
    if (!continues) word_chosen = uniform(t, 0) < options.probability;
    in_word = true;
    if (!word_chosen) continue;
    masked.positions.push_back(static_cast<int32_t>(t));
    masked.labels.push_back(id);
  }
  if (masked.positions.empty() && first_candidate >= 0) {
    masked.positions.push_back(static_cast<int32_t>(first_candidate));
    masked.labels.push_back(batch.input_ids[first_candidate]);
  }
  for (int32_t t : masked.positions) {
    const double u = uniform(uint64_t(t), 1);
    if (u < 0.8)
      batch.input_ids[t] = options.mask_token_id;
    else if (u < 0.9)
      batch.input_ids[t] =
          static_cast<int32_t>(uniform(uint64_t(t), 2) * double(config.vocab_size));
  }
  return masked;
}

std::vector<uint8_t> continuation_flags(const Vocab& vocab) {
  std::vector<uint8_t> flags(static_cast<size_t>(vocab.size()));
  for (int32_t id = 0; id < vocab.size(); ++id)
    flags[size_t(id)] = vocab.token(id).starts_with("##");
  return flags;
}

MaskedLmActivations::MaskedLmActivations(const BertConfig& config, int64_t max_masked)
    : max_masked_(max_masked) {
  if (max_masked < 1) fail("masked-LM activations need room for at least one token");
  const int64_t M = max_masked, C = config.hidden_size, V = config.vocab_size;
  ArenaPlan plan;
  for (float** piece : {&gathered, &pre, &act, &transformed, &d_transformed, &d_gathered})
    plan.add(*piece, M * C);
  plan.add(mean, M);
  plan.add(rstd, M);
  plan.add(row_loss, M);
  plan.add(logits, M * V);
  arena_ = plan.allocate();
}

namespace {

void check(const BertConfig& config, const ParameterBuffer& params, const Activations& acts,
           const MaskedTokens& masked, const MaskedLmActivations& mlm) {
  if (!params.layout().has_masked_lm_head())
    fail("masked-LM training needs parameters built with LayoutOptions::masked_lm_head");
  const int64_t M = static_cast<int64_t>(masked.positions.size());
  if (M == 0 || M != static_cast<int64_t>(masked.labels.size()))
    fail("masked tokens: ", masked.positions.size(), " positions and ", masked.labels.size(),
         " labels (need the same, non-zero count)");
  if (M > mlm.max_masked())
    fail(M, " masked tokens exceed the ", mlm.max_masked(), " the masked-LM activations hold");
  for (int64_t i = 0; i < M; ++i) {
    if (masked.positions[i] < 0 || masked.positions[i] >= acts.tokens)
      fail("masked position ", masked.positions[i], " is outside the batch (", acts.tokens,
           " tokens)");
    if (masked.labels[i] < 0 || masked.labels[i] >= config.vocab_size)
      fail("masked label ", masked.labels[i], " is outside the vocabulary");
  }
}

}  // namespace

float masked_lm_forward(const BertConfig& config, const ParameterBuffer& params,
                        const Activations& acts, const MaskedTokens& masked,
                        MaskedLmActivations& mlm) {
  check(config, params, acts, masked, mlm);
  const int64_t M = static_cast<int64_t>(masked.positions.size()), C = config.hidden_size,
                V = config.vocab_size;
  const Precision precision = acts.options.precision;
  const MaskedLmOffsets& o = params.layout().masked_lm;
  const float* hidden = acts.last_hidden_state().data();
  for (int64_t i = 0; i < M; ++i)
    std::memcpy(mlm.gathered + i * C, hidden + int64_t(masked.positions[i]) * C,
                static_cast<size_t>(C) * sizeof(float));
  linear_forward(mlm.pre, mlm.gathered, params.at(o.transform.weight), params.at(o.transform.bias),
                 M, C, C, precision);
  gelu_forward(mlm.act, mlm.pre, M * C);
  layernorm_forward(mlm.transformed, mlm.mean, mlm.rstd, mlm.act, params.at(o.norm.weight),
                    params.at(o.norm.bias), M, C, static_cast<float>(config.layer_norm_eps));
  const float* word = params.at(params.layout().embeddings.word);
  linear_forward(mlm.logits, mlm.transformed, word, params.at(o.decoder_bias), M, C, V, precision);
  return softmax_cross_entropy(mlm.logits, masked.labels.data(), M, V, mlm.row_loss, mlm.logits);
}

void masked_lm_backward(const BertConfig& config, const ParameterBuffer& params, Activations& acts,
                        const MaskedTokens& masked, MaskedLmActivations& mlm,
                        ParameterBuffer& grads) {
  check(config, params, acts, masked, mlm);
  if (grads.size() != params.size()) fail("gradients were built for another parameter layout");
  const int64_t M = static_cast<int64_t>(masked.positions.size()), C = config.hidden_size,
                V = config.vocab_size, T = acts.tokens;
  const Precision precision = acts.options.precision;
  const ParameterLayout& layout = params.layout();
  const MaskedLmOffsets& o = layout.masked_lm;
  const float* dlogits = mlm.logits;

  // Decoder: its weight is the word embedding matrix.
  linear_backward_weight(grads.at(layout.embeddings.word), dlogits, mlm.transformed, M, C, V,
                         precision);
  bias_backward(grads.at(o.decoder_bias), dlogits, M, V);
  linear_backward_input(mlm.d_transformed, dlogits, params.at(layout.embeddings.word), M, C, V,
                        false, precision);
  layernorm_backward(mlm.d_transformed, grads.at(o.norm.weight), grads.at(o.norm.bias),
                     mlm.d_transformed, mlm.act, mlm.mean, mlm.rstd, params.at(o.norm.weight), M,
                     C);
  gelu_backward(mlm.d_transformed, mlm.d_transformed, mlm.pre, M * C);
  linear_backward_weight(grads.at(o.transform.weight), mlm.d_transformed, mlm.gathered, M, C, C,
                         precision);
  bias_backward(grads.at(o.transform.bias), mlm.d_transformed, M, C);
  linear_backward_input(mlm.d_gathered, mlm.d_transformed, params.at(o.transform.weight), M, C, C,
                        false, precision);
  std::memset(acts.d_hidden, 0, static_cast<size_t>(T * C) * sizeof(float));
  for (int64_t i = 0; i < M; ++i) {  // positions may repeat: add
    float* row = acts.d_hidden + int64_t(masked.positions[i]) * C;
    for (int64_t c = 0; c < C; ++c) row[c] += mlm.d_gathered[i * C + c];
  }
}

int64_t masked_lm_hits(const BertConfig& config, const MaskedTokens& masked,
                       const MaskedLmActivations& mlm) {
  const int64_t M = static_cast<int64_t>(masked.positions.size()), V = config.vocab_size;
  int64_t hits = 0;
  for (int64_t i = 0; i < M; ++i) {
    const float* d = mlm.logits + i * V;
    const int32_t label = masked.labels[size_t(i)];
    // Scaled by M, the label's entry is p - 1 and every other entry p: compare the label's
    // probability with the largest other one.
    const float label_p = d[label] + 1.0f / static_cast<float>(M);
    bool best = true;
    for (int64_t v = 0; v < V && best; ++v) best = v == label || d[v] <= label_p;
    hits += best;
  }
  return hits;
}

}  // namespace greenbert
