#pragma once
// Embedding lookups and their scatter-add backward.
#include <cstdint>

namespace greenbert {

// out (T, C) [+]= table (rows, C)[ids[t]]; ids (T) must be valid rows (the model checks them)
void embedding_forward(float* out, const float* table, const int32_t* ids, int64_t tokens,
                       int64_t cols, bool accumulate);

// dtable (rows, C)[ids[t]] += dout (T, C)[t] for every t whose id is not `skip_id` (torch's
// padding_idx: that row never receives gradient; pass -1 to skip nothing). Columns are split
// across threads and tokens visited in order: deterministic for any thread count.
void embedding_backward(float* dtable, const float* dout, const int32_t* ids, int64_t tokens,
                        int64_t cols, int32_t skip_id);

}  // namespace greenbert
