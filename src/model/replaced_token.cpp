#include "model/replaced_token.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/adamw.h"
#include "kernels/dropout.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/loss.h"
#include "kernels/reduce.h"
#include "tensor/arena.h"

namespace greenbert {

ReplacedTokenActivations::ReplacedTokenActivations(const BertConfig& config, int64_t max_tokens)
    : max_tokens_(max_tokens) {
  if (max_tokens < 1) fail("replaced-token activations need room for at least one token");
  const int64_t T = max_tokens, C = config.hidden_size;
  ArenaPlan plan;
  plan.add(pre, T * C);
  plan.add(act, T * C);
  plan.add(d_pre, T * C);
  plan.add(logits, T);
  arena_ = plan.allocate();
}

namespace {

void check(const ParameterBuffer& params, const Activations& acts,
           const ReplacedTokenActivations& rtd) {
  if (!params.layout().has_replaced_token_head())
    fail("replaced-token detection needs parameters built with LayoutOptions::replaced_token_head");
  if (acts.tokens > rtd.max_tokens())
    fail(acts.tokens, " tokens exceed the ", rtd.max_tokens(),
         " the replaced-token activations hold");
}

}  // namespace

float replaced_token_forward(const BertConfig& config, const ParameterBuffer& params,
                             const Activations& acts, std::span<const float> replaced, float weight,
                             ReplacedTokenActivations& rtd) {
  check(params, acts, rtd);
  const int64_t T = acts.tokens, C = config.hidden_size;
  if (static_cast<int64_t>(replaced.size()) != T)
    fail(replaced.size(), " replaced-token targets for a batch of ", T, " tokens");
  const Precision precision = acts.options.precision;
  const ReplacedTokenOffsets& o = params.layout().replaced_token;
  linear_forward(rtd.pre, acts.last_hidden_state().data(), params.at(o.dense.weight),
                 params.at(o.dense.bias), T, C, C, precision);
  gelu_forward(rtd.act, rtd.pre, T * C);
  linear_forward(rtd.logits, rtd.act, params.at(o.prediction.weight), params.at(o.prediction.bias),
                 T, C, 1, precision);
  rtd.hits = 0;
  for (int64_t t = 0; t < T; ++t)
    rtd.hits += (rtd.logits[t] > 0.0f) == (replaced[size_t(t)] > 0.5f);
  const float loss = bce_with_logits(rtd.logits, replaced.data(), T, rtd.logits);
  scale(rtd.logits, T, weight);
  return loss;
}

void replaced_token_backward(const BertConfig& config, const ParameterBuffer& params,
                             Activations& acts, ReplacedTokenActivations& rtd,
                             ParameterBuffer& grads) {
  check(params, acts, rtd);
  if (grads.size() != params.size()) fail("gradients were built for another parameter layout");
  const int64_t T = acts.tokens, C = config.hidden_size;
  const Precision precision = acts.options.precision;
  const ReplacedTokenOffsets& o = params.layout().replaced_token;
  const float* dlogits = rtd.logits;  // (T, 1)
  linear_backward_weight(grads.at(o.prediction.weight), dlogits, rtd.act, T, C, 1, precision);
  bias_backward(grads.at(o.prediction.bias), dlogits, T, 1);
  float* d_act = rtd.act;  // the GELU output is not needed any more
  linear_backward_input(d_act, dlogits, params.at(o.prediction.weight), T, C, 1, false, precision);
  gelu_backward(rtd.d_pre, d_act, rtd.pre, T * C);
  linear_backward_weight(grads.at(o.dense.weight), rtd.d_pre, acts.last_hidden_state().data(), T, C,
                         C, precision);
  bias_backward(grads.at(o.dense.bias), rtd.d_pre, T, C);
  linear_backward_input(acts.d_hidden, rtd.d_pre, params.at(o.dense.weight), T, C, C, false,
                        precision);
}

int64_t sample_replacements(const BertConfig& config, const MaskedTokens& masked,
                            const MaskedLmActivations& mlm, uint64_t seed, std::span<int32_t> ids,
                            std::span<float> is_replaced) {
  const int64_t M = static_cast<int64_t>(masked.positions.size()), V = config.vocab_size;
  if (M > mlm.max_masked()) fail(M, " masked tokens exceed the masked-LM activations");
  if (is_replaced.size() != ids.size())
    fail(is_replaced.size(), " replaced-token flags for ", ids.size(), " tokens");
  std::fill(is_replaced.begin(), is_replaced.end(), 0.0f);
  const uint64_t key = splitmix64_mix(seed ^ 0x73616d706c65ull);  // "sample"
  const double unit = 1.0 / static_cast<double>(M);
  int64_t replaced = 0;
  for (int64_t i = 0; i < M; ++i) {
    const float* d = mlm.logits + i * V;
    const int32_t label = masked.labels[size_t(i)];
    // d = (softmax - onehot(label)) / M: the probabilities are d·M, plus 1 at the label.
    const double u = static_cast<double>(splitmix64_at(key, uint64_t(i)) >> 11) * 0x1.0p-53;
    double cumulative = 0;
    int32_t sampled = static_cast<int32_t>(V - 1);  // rounding can leave u above the total
    for (int64_t v = 0; v < V; ++v) {
      cumulative += (static_cast<double>(d[v]) + (v == label ? unit : 0.0)) / unit;
      if (u < cumulative) {
        sampled = static_cast<int32_t>(v);
        break;
      }
    }
    const auto position = size_t(masked.positions[size_t(i)]);
    if (position >= ids.size()) fail("masked position ", position, " is outside the batch");
    ids[position] = sampled;
    if (sampled != label) {
      is_replaced[position] = 1.0f;
      ++replaced;
    }
  }
  return replaced;
}

}  // namespace greenbert
