#include "model/activations.h"

#include "core/error.h"
#include "kernels/attention.h"

namespace greenbert {

Activations::Activations(const BertConfig& config, ActivationLimits limits) : limits_(limits) {
  validate(config, "model config");
  if (limits.tokens < 1 || limits.sequences < 1 || limits.max_length < 1)
    fail("activation limits must be positive (tokens ", limits.tokens, ", sequences ",
         limits.sequences, ", max_length ", limits.max_length, ")");
  const int64_t T = limits.tokens, B = limits.sequences, C = config.hidden_size,
                I = config.intermediate_size, H = config.num_heads;
  hidden_ = C;
  probs_capacity_ = H * T * limits.max_length;

  // Two passes over the same list of pieces: count, then hand out pointers into the arena.
  std::vector<std::pair<float**, int64_t>> pieces;
  auto piece = [&pieces](float*& ptr, int64_t size) { pieces.emplace_back(&ptr, size); };
  piece(embedding_sum, T * C);
  piece(embedding_mean, T);
  piece(embedding_rstd, T);
  piece(embedding_out, T * C);
  layers.resize(static_cast<size_t>(config.num_layers));
  for (LayerActivations& l : layers) {
    piece(l.qkv, T * 3 * C);
    piece(l.probs, probs_capacity_);
    piece(l.context, T * C);
    piece(l.attention_sum, T * C);
    piece(l.attention_mean, T);
    piece(l.attention_rstd, T);
    piece(l.attention_out, T * C);
    piece(l.ffn_pre, T * I);
    piece(l.ffn_sum, T * C);
    piece(l.ffn_mean, T);
    piece(l.ffn_rstd, T);
    piece(l.out, T * C);
  }
  piece(cls, B * C);
  piece(head_out, B * C);
  piece(head_dropped, B * C);
  piece(ffn_act, T * I);
  piece(attention_workspace, attention_workspace_size(limits.max_length, H));
  piece(d_hidden, T * C);
  piece(d_branch, T * C);
  piece(d_context, T * C);
  piece(d_qkv, T * 3 * C);
  piece(d_cls, B * C);
  piece(d_head, B * C);

  constexpr int64_t kAlign = static_cast<int64_t>(kTensorAlignment / sizeof(float));
  auto aligned = [](int64_t n) { return (n + kAlign - 1) / kAlign * kAlign; };
  int64_t total = 0;
  for (auto& [ptr, size] : pieces) total += aligned(size);
  arena_ = AlignedArray<float>(static_cast<size_t>(total));
  int64_t offset = 0;
  for (auto& [ptr, size] : pieces) {
    *ptr = arena_.data() + offset;
    offset += aligned(size);
  }
}

void Activations::check_fits(int64_t t, int64_t b, int64_t max_length, int64_t probs) const {
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
