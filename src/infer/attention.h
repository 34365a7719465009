#pragma once
// Multi-head self-attention for inference, one (sequence, head) pair per call: nothing is kept
// for a backward pass, and scores/probabilities live only in the calling thread's scratch
// (never a (heads, L, L) buffer per sequence, let alone per batch).
//
//   ctx_h (queries, D) = softmax(Q_h Kᵀ_h / sqrt(D)) V_h
//
// over the L tokens of one packed sequence, for the query rows [first_query, first_query +
// queries) of it: the classification head reads only the first token ([CLS]), so the last layer
// asks for 1 query against L keys, and the session's threads each compute the queries of the
// rows they own.
//
// Layouts: qkv rows of 3C values [q (C) | k (C) | v (C)], head h at columns h·D of each part,
// f32 or bf16; ctx rows of f32 with row stride ldc.
//
// Precisions (core/precision.h; attention has no int8):
//   fp32: everything in f32.
//   bf16: Q, K, V are bf16 (as the QKV epilogue stored them), scores accumulate in f32; the
//         exponentials exp(s - max) are rounded to bf16 unnormalised, P·V accumulates in f32 and
//         the context rows are divided by the exponentials' (f32) sum: one division per output
//         value instead of per probability. Runs on AMX tiles when the CPU has them, else on a
//         portable path with the same rounding.
#include <cstdint>

#include "core/precision.h"
#include "kernels/attention.h"

namespace greenbert {

// Floats of scratch one thread needs for sequences of up to max_len tokens.
int64_t attention_scratch_floats(const AttentionShape& g, int64_t max_len);

// Whether bf16 attention runs on AMX tiles here (CPU support and the OS's permission).
bool attention_uses_amx();

// ctx (queries, D) at row stride ldc = attention of head `head` over the L rows of qkv (row
// stride 3C), for the query rows [first_query, first_query + queries) ⊆ [0, L). qkv points at
// the sequence's first row; ctx at the first query's output row.
void attention_head(float* ctx, int64_t ldc, const void* qkv, Precision precision,
                    const AttentionShape& g, int64_t head, int64_t length, int64_t first_query,
                    int64_t queries, float* scratch);

// The portable implementation of attention_head (what runs without AMX); exposed so tests can
// compare the AMX path against it.
void attention_head_portable(float* ctx, int64_t ldc, const void* qkv, Precision precision,
                             const AttentionShape& g, int64_t head, int64_t length,
                             int64_t first_query, int64_t queries, float* scratch);

}  // namespace greenbert
