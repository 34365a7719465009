#include "kernels/attention.h"

#include <omp.h>

#include <cmath>
#include <vector>

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

int64_t attention_workspace_size(int64_t max_len, int64_t threads) {
  return 2 * threads * max_len * max_len;
}

namespace {

// One (sequence, head) pair: L tokens from `first`, its probabilities at `probs_offset`.
struct Item {
  int64_t first, length, probs_offset, head;
};

// The (sequence, head) pairs of a batch, into `items` (its capacity is reused across calls).
void list_items(std::vector<Item>& items, const int32_t* seq_start, int64_t sequences,
                int64_t heads) {
  items.clear();
  int64_t offset = 0;
  for (int64_t s = 0; s < sequences; ++s) {
    const int64_t first = seq_start[s], L = seq_start[s + 1] - first;
    for (int64_t h = 0; h < heads; ++h) items.push_back({first, L, offset + h * L * L, h});
    offset += heads * L * L;
  }
}

// Runs body(item, workspace of this thread) over all items, one thread per item: the GEMMs
// inside run single-threaded (oneDNN does inside an OpenMP region), so there is one fork/join
// per call instead of several per sequence. Results do not depend on the thread count.
template <typename Body>
void for_each_item(const int32_t* seq_start, int64_t sequences, AttentionShape shape,
                   float* workspace, int64_t max_len, Body&& body) {
  thread_local std::vector<Item> calling_thread_items;
  // A plain reference: inside the region, the thread_local name would mean each worker's own.
  std::vector<Item>& items = calling_thread_items;
  list_items(items, seq_start, sequences, shape.heads);
  const int64_t n = static_cast<int64_t>(items.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t i = 0; i < n; ++i)
    body(items[i], workspace + 2 * omp_get_thread_num() * max_len * max_len);
}

GemmShape single(int64_t m, int64_t n, int64_t k) {
  GemmShape g;
  g.m = m, g.n = n, g.k = k;
  return g;
}

}  // namespace

void attention_forward(float* ctx, float* probs, float* workspace, const float* qkv,
                       const int32_t* seq_start, int64_t sequences, AttentionShape shape,
                       const DropoutMask& dropout, int64_t max_len) {
  const int64_t D = shape.head_dim, C = shape.heads * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  for_each_item(seq_start, sequences, shape, workspace, max_len, [&](const Item& it, float* work) {
    const int64_t L = it.length;
    const float* q = qkv + it.first * 3 * C + it.head * D;
    float* p = probs + it.probs_offset;
    // S (L, L) = scale · Q (L, D) · Kᵀ (D, L)
    GemmShape scores = single(L, L, D);
    scores.trans_b = true, scores.lda = 3 * C, scores.ldb = 3 * C, scores.alpha = scale;
    gemm(scores, q, q + C, p);
    softmax_forward(p, p, L, L);
    const float* p_dropped = p;
    if (!dropout.keeps_all()) {
      dropout_apply(work, p, L * L, dropout, static_cast<uint64_t>(it.probs_offset));
      p_dropped = work;
    }
    // ctx (L, D) = P (L, L) · V (L, D)
    GemmShape context = single(L, D, L);
    context.ldb = 3 * C, context.ldc = C;
    gemm(context, p_dropped, q + 2 * C, ctx + it.first * C + it.head * D);
  });
}

void attention_backward(float* dqkv, float* workspace, const float* dctx, const float* qkv,
                        const float* probs, const int32_t* seq_start, int64_t sequences,
                        AttentionShape shape, const DropoutMask& dropout, int64_t max_len) {
  const int64_t D = shape.head_dim, C = shape.heads * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  for_each_item(seq_start, sequences, shape, workspace, max_len, [&](const Item& it, float* work) {
    const int64_t L = it.length;
    const float* q = qkv + it.first * 3 * C + it.head * D;
    const float* dc = dctx + it.first * C + it.head * D;
    const float* p = probs + it.probs_offset;
    float* dq = dqkv + it.first * 3 * C + it.head * D;
    float* dp = work;                 // (L, L)
    float* p_dropped = work + L * L;  // (L, L), only with dropout

    // dP (L, L) = dctx (L, D) · Vᵀ (D, L)
    GemmShape d_probs = single(L, L, D);
    d_probs.trans_b = true, d_probs.lda = C, d_probs.ldb = 3 * C;
    gemm(d_probs, dc, q + 2 * C, dp);
    const float* pd = p;
    if (!dropout.keeps_all()) {
      const uint64_t first = static_cast<uint64_t>(it.probs_offset);
      dropout_apply(p_dropped, p, L * L, dropout, first);
      dropout_apply(dp, dp, L * L, dropout, first);
      pd = p_dropped;
    }
    // dV (L, D) = Pᵀ (L, L) · dctx (L, D)
    GemmShape d_values = single(L, D, L);
    d_values.trans_a = true, d_values.ldb = C, d_values.ldc = 3 * C;
    gemm(d_values, pd, dc, dq + 2 * C);
    // dS = softmax backward, in place; the scores' 1/sqrt(D) goes into alpha below.
    softmax_backward(dp, dp, p, L, L);
    // dQ (L, D) = scale · dS (L, L) · K (L, D);  dK (L, D) = scale · dSᵀ (L, L) · Q (L, D)
    GemmShape d_queries = single(L, D, L);
    d_queries.ldb = 3 * C, d_queries.ldc = 3 * C, d_queries.alpha = scale;
    gemm(d_queries, dp, q + C, dq);
    GemmShape d_keys = d_queries;
    d_keys.trans_a = true;
    gemm(d_keys, dp, q, dq + C);
  });
}

}  // namespace greenbert
