#pragma once
// Dropout with a counter-based random stream: whether element i is kept is a pure function of
// (seed, stream, i), so the mask is bit-reproducible, independent of the thread count, and the
// backward pass regenerates it instead of storing it. Kept elements are scaled by 1/(1-p) as in
// torch.nn.Dropout; p = 1 drops everything.
#include <cstdint>

#include "core/splitmix64.h"

namespace greenbert {

// The dropout seed of training step `step` of a run: pass it as ForwardOptions::dropout_seed so
// that every step draws fresh masks while a run stays reproducible from its seed.
inline uint64_t dropout_seed_for_step(uint64_t run_seed, uint64_t step) {
  return splitmix64_mix(splitmix64_mix(run_seed) + step * kSplitMix64Gamma);
}

struct DropoutMask {
  uint64_t key = 0;        // derived from (seed, stream)
  uint64_t threshold = 0;  // keep when the top 32 bits of the hash are below it; 2^32 keeps all
  float scale = 1.0f;      // 1 / (1 - p), 0 when p = 1
  uint64_t first = 0;      // the stream's element that index 0 stands for (a shard's start)

  // p in [0, 1]; `stream` separates the dropout sites of one forward pass (layer, place).
  DropoutMask(uint64_t seed, uint64_t stream, float p);
  DropoutMask() = default;  // keeps everything

  bool keeps_all() const { return threshold >= (uint64_t{1} << 32); }
  // Element first + i of the stream: SplitMix64's output of that index for state `key`.
  bool keep(uint64_t index) const { return (splitmix64_at(key, first + index) >> 32) < threshold; }
  // The factor element i is multiplied by: scale or 0.
  float factor(uint64_t index) const { return keep(index) ? scale : 0.0f; }
};

// out (n) = in (n) · mask factor of elements first_index + i; out may alias in.
// The backward pass is the same call on gradients.
void dropout_apply(float* out, const float* in, int64_t n, const DropoutMask& mask,
                   uint64_t first_index = 0);

}  // namespace greenbert
