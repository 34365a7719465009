#pragma once
// bf16 attention of one (sequence, head) on AMX tiles: QKᵀ and P·V as tile dot products
// (tdpbf16ps, f32 accumulation), softmax in AVX-512. The ISA variant of attention_head for CPUs
// with AMX; infer/attention.h documents the semantics (identical to its portable bf16 path up to
// the order of the f32 sums).
#include <cstdint>

namespace greenbert {

// CPU has AMX-TILE, AMX-BF16 and AVX512-BF16, and the kernel allows this process to use tiles.
bool amx_attention_available();

// Floats of scratch for sequences of up to max_len tokens and head size head_dim.
int64_t amx_attention_scratch_floats(int64_t head_dim, int64_t max_len);

// ctx (queries, D), row stride ldc = attention over qkv (length rows, row stride 3·hidden, bf16
// bits) of the query rows [first_query, first_query + queries). Only call when
// amx_attention_available().
void amx_attention_head(float* ctx, int64_t ldc, const uint16_t* qkv, int64_t hidden,
                        int64_t head_dim, int64_t head, int64_t length, int64_t first_query,
                        int64_t queries, float* scratch);

}  // namespace greenbert
