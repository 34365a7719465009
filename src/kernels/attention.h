#pragma once
// Multi-head self-attention over PACKED sequences (no padding): sequence s owns tokens
// [seq_start[s], seq_start[s+1]) and attends only to itself, per head h:
//   P = softmax(Q_h K_hᵀ / sqrt(D)),  ctx_h = dropout(P) V_h
// which equals HF's padded attention with an additive mask on the kept tokens.
//
// Layouts (C = heads·D):
//   qkv   (T, 3C)  row t = [q (C) | k (C) | v (C)]; head h is columns [h·D, (h+1)·D) of a part
//   ctx   (T, C)   heads side by side, as HF's context layer
//   probs          sequence s at attention_probs_offset(s): (heads, L_s, L_s), pre-dropout
// Dropout on probabilities draws element i of `probs` (its index in the whole buffer).
// Work is spread over (sequence, head) pairs, one thread each; results do not depend on the
// thread count.
#include <cstdint>

#include "kernels/dropout.h"

namespace greenbert {

struct AttentionShape {
  int64_t heads = 0;
  int64_t head_dim = 0;
  int64_t hidden() const { return heads * head_dim; }
};

// Floats of `probs` for the batch: Σ_s heads·L_s². seq_start (sequences + 1).
int64_t attention_probs_size(const int32_t* seq_start, int64_t sequences, int64_t heads);
// Floats of workspace attention_forward/backward need with up to `threads` OpenMP threads,
// max_len the longest sequence: 2·threads·max_len².
int64_t attention_workspace_size(int64_t max_len, int64_t threads);

// ctx (T, C), probs (Σ heads·L²), workspace (attention_workspace_size(max_len, threads)),
// qkv (T, 3C); max_len ≥ every sequence's length
void attention_forward(float* ctx, float* probs, float* workspace, const float* qkv,
                       const int32_t* seq_start, int64_t sequences, AttentionShape shape,
                       const DropoutMask& dropout, int64_t max_len);

// dqkv (T, 3C) overwritten; dctx (T, C); qkv and probs as the forward left them
void attention_backward(float* dqkv, float* workspace, const float* dctx, const float* qkv,
                        const float* probs, const int32_t* seq_start, int64_t sequences,
                        AttentionShape shape, const DropoutMask& dropout, int64_t max_len);

}  // namespace greenbert
