#include "model/activations.h"

#include <omp.h>

#include <algorithm>

#include "core/error.h"
#include "core/memory_limit.h"
#include "kernels/attention.h"
#include "tensor/arena.h"

namespace greenbert {

Activations::Activations(const BertConfig& config, ActivationLimits limits) : limits_(limits) {
  validate(config, "model config");
  if (limits.tokens < 1 || limits.sequences < 1 || limits.max_length < 1)
    fail("activation limits must be positive (tokens ", limits.tokens, ", sequences ",
         limits.sequences, ", max_length ", limits.max_length, ")");
  const int64_t T = limits.tokens, B = limits.sequences, C = config.hidden_size,
                I = config.intermediate_size, H = config.num_heads;
  hidden_ = C;
  // The arena's size (as planned below), in floating point first: a batch too large for this
  // machine is refused by name before any size is computed in int64 (where it could overflow)
  // or allocated.
  const double layer_floats =
      static_cast<double>(H) * static_cast<double>(T) * static_cast<double>(limits.max_length) +
      static_cast<double>(T) * static_cast<double>(9 * C + I + 4);
  const double floats = static_cast<double>(config.num_layers) * layer_floats +
                        static_cast<double>(T) * static_cast<double>(I + 9 * C + 2) +
                        6.0 * static_cast<double>(B) * static_cast<double>(C);
  check_fits_in_memory(static_cast<uint64_t>(std::min(floats * sizeof(float), 1e19)),
                       cat("the activation memory of batches of ", B, " sequences and ", T,
                           " tokens (--batch-size, --max-length)"));
  probs_capacity_ = H * T * limits.max_length;

  ArenaPlan plan;
  plan.add(embedding_sum, T * C);
  plan.add(embedding_mean, T);
  plan.add(embedding_rstd, T);
  plan.add(embedding_out, T * C);
  layers.resize(static_cast<size_t>(config.num_layers));
  for (LayerActivations& l : layers) {
    plan.add(l.qkv, T * 3 * C);
    plan.add(l.probs, probs_capacity_);
    plan.add(l.context, T * C);
    plan.add(l.attention_sum, T * C);
    plan.add(l.attention_mean, T);
    plan.add(l.attention_rstd, T);
    plan.add(l.attention_out, T * C);
    plan.add(l.ffn_pre, T * I);
    plan.add(l.ffn_sum, T * C);
    plan.add(l.ffn_mean, T);
    plan.add(l.ffn_rstd, T);
    plan.add(l.out, T * C);
  }
  plan.add(cls, B * C);
  plan.add(head_out, B * C);
  plan.add(head_dropped, B * C);
  plan.add(ffn_act, T * I);
  attention_threads_ = omp_get_max_threads();
  plan.add(attention_workspace, attention_workspace_size(limits.max_length, attention_threads_));
  plan.add(d_hidden, T * C);
  plan.add(d_branch, T * C);
  plan.add(d_context, T * C);
  plan.add(d_qkv, T * 3 * C);
  plan.add(d_cls, B * C);
  plan.add(d_head, B * C);
  arena_ = plan.allocate();
}

void Activations::check_fits(int64_t t, int64_t b, int64_t max_length, int64_t probs) const {
  if (omp_get_max_threads() > attention_threads_)
    fail("the activations were sized for ", attention_threads_,
         " threads; create them after set_thread_count (now ", omp_get_max_threads(), ")");
  if (t > limits_.tokens || b > limits_.sequences || max_length > limits_.max_length ||
      probs > probs_capacity_)
    fail("batch of ", b, " sequences, ", t, " tokens, longest ", max_length,
         " exceeds the activation limits (", limits_.sequences, " sequences, ", limits_.tokens,
         " tokens, longest ", limits_.max_length, ")");
}

std::span<const float> Activations::last_hidden_state() const {
  const float* last = layers.empty() ? embedding_out : layers.back().out;
  return {last, static_cast<size_t>(tokens * hidden_)};
}

std::span<const float> Activations::pooled() const {
  return {head_out, static_cast<size_t>(sequences * hidden_)};
}

}  // namespace greenbert
