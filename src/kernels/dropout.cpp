#include "kernels/dropout.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "kernels/parallel.h"

namespace greenbert {

DropoutMask::DropoutMask(uint64_t seed, uint64_t stream, float p) {
  if (!(p >= 0.0f && p <= 1.0f)) fail("dropout probability must be in [0, 1], got ", p);
  key = splitmix64_mix(splitmix64_mix(seed) ^
                       (stream * 0xd1b54a32d192ed03ull + 0x2545f4914f6cdd1dull));
  // Keep with probability 1 - p: compare 32 uniform bits against round((1 - p) · 2^32).
  threshold = static_cast<uint64_t>(std::llround((1.0 - static_cast<double>(p)) * 4294967296.0));
  scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
}

namespace {

GREENBERT_ISA_CLONES
void dropout_block(float* out, const float* in, int64_t n, DropoutMask mask, uint64_t first) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] * mask.factor(first + static_cast<uint64_t>(i));
}

}  // namespace

void dropout_apply(float* out, const float* in, int64_t n, const DropoutMask& mask,
                   uint64_t first_index) {
  if (mask.keeps_all()) {
    if (out != in) std::memcpy(out, in, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  parallel_ranges(n, 4, [&](int64_t b, int64_t e) {
    dropout_block(out + b, in + b, e - b, mask, first_index + static_cast<uint64_t>(b));
  });
}

}  // namespace greenbert
