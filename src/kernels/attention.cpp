#include "kernels/attention.h"

#include <cmath>

#include "kernels/gemm.h"
#include "kernels/softmax.h"

namespace greenbert {

int64_t attention_probs_size(const int32_t* seq_start, int64_t sequences, int64_t heads) {
  int64_t total = 0;
  for (int64_t s = 0; s < sequences; ++s) {
    int64_t len = seq_start[s + 1] - seq_start[s];
    total += heads * len * len;
  }
  return total;
}

int64_t attention_workspace_size(int64_t max_len, int64_t heads) {
  return 2 * heads * max_len * max_len;
}

namespace {

// One product per sequence, batched over heads: heads are D columns apart in the token rows.
GemmShape per_head(AttentionShape shape, int64_t m, int64_t n, int64_t k) {
  GemmShape g;
  g.m = m, g.n = n, g.k = k, g.batch = shape.heads;
  return g;
}

}  // namespace

void attention_forward(float* ctx, float* probs, float* workspace, const float* qkv,
                       const int32_t* seq_start, int64_t sequences, AttentionShape shape,
                       const DropoutMask& dropout) {
  const int64_t D = shape.head_dim, C = shape.heads * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  int64_t offset = 0;
  for (int64_t s = 0; s < sequences; ++s) {
    const int64_t first = seq_start[s], L = seq_start[s + 1] - first;
    const int64_t block = shape.heads * L * L;
    const float* q = qkv + first * 3 * C;
    float* p = probs + offset;

    // S (heads, L, L) = scale · Q (L, D) · Kᵀ (D, L)
    GemmShape scores = per_head(shape, L, L, D);
    scores.trans_b = true;
    scores.lda = 3 * C, scores.batch_stride_a = D;
    scores.ldb = 3 * C, scores.batch_stride_b = D;
    scores.alpha = scale;
    gemm(scores, q, q + C, p);
    softmax_forward(p, p, shape.heads * L, L);

    const float* p_dropped = p;
    if (!dropout.keeps_all()) {
      dropout_apply(workspace, p, block, dropout, static_cast<uint64_t>(offset));
      p_dropped = workspace;
    }
    // ctx (L, D) per head = P (L, L) · V (L, D)
    GemmShape context = per_head(shape, L, D, L);
    context.ldb = 3 * C, context.batch_stride_b = D;
    context.ldc = C, context.batch_stride_c = D;
    gemm(context, p_dropped, q + 2 * C, ctx + first * C);
    offset += block;
  }
}

void attention_backward(float* dqkv, float* workspace, const float* dctx, const float* qkv,
                        const float* probs, const int32_t* seq_start, int64_t sequences,
                        AttentionShape shape, const DropoutMask& dropout) {
  const int64_t D = shape.head_dim, C = shape.heads * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  int64_t offset = 0;
  for (int64_t s = 0; s < sequences; ++s) {
    const int64_t first = seq_start[s], L = seq_start[s + 1] - first;
    const int64_t block = shape.heads * L * L;
    const float* q = qkv + first * 3 * C;
    const float* dc = dctx + first * C;
    const float* p = probs + offset;
    float* dq = dqkv + first * 3 * C;
    float* dp = workspace;                 // (heads, L, L)
    float* p_dropped = workspace + block;  // (heads, L, L), only with dropout

    // dP (L, L) = dctx (L, D) · Vᵀ (D, L)
    GemmShape d_probs = per_head(shape, L, L, D);
    d_probs.trans_b = true;
    d_probs.lda = C, d_probs.batch_stride_a = D;
    d_probs.ldb = 3 * C, d_probs.batch_stride_b = D;
    gemm(d_probs, dc, q + 2 * C, dp);

    const float* pd = p;
    if (!dropout.keeps_all()) {
      dropout_apply(p_dropped, p, block, dropout, static_cast<uint64_t>(offset));
      dropout_apply(dp, dp, block, dropout, static_cast<uint64_t>(offset));
      pd = p_dropped;
    }
    // dV (L, D) = Pᵀ (L, L) · dctx (L, D)
    GemmShape d_values = per_head(shape, L, D, L);
    d_values.trans_a = true;
    d_values.ldb = C, d_values.batch_stride_b = D;
    d_values.ldc = 3 * C, d_values.batch_stride_c = D;
    gemm(d_values, pd, dc, dq + 2 * C);

    // dS = softmax backward, in place; the 1/sqrt(D) of the scores goes into alpha below.
    softmax_backward(dp, dp, p, shape.heads * L, L);

    // dQ (L, D) = scale · dS (L, L) · K (L, D)
    GemmShape d_queries = per_head(shape, L, D, L);
    d_queries.ldb = 3 * C, d_queries.batch_stride_b = D;
    d_queries.ldc = 3 * C, d_queries.batch_stride_c = D;
    d_queries.alpha = scale;
    gemm(d_queries, dp, q + C, dq);

    // dK (L, D) = scale · dSᵀ (L, L) · Q (L, D)
    GemmShape d_keys = d_queries;
    d_keys.trans_a = true;
    gemm(d_keys, dp, q, dq + C);
    offset += block;
  }
}

}  // namespace greenbert
