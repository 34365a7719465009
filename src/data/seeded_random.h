#pragma once
// A small, fully specified random generator for data shuffling: the same seed gives the same
// split with every compiler and standard library (std::shuffle and the std distributions do
// not promise that).
#include <cstdint>
#include <span>
#include <utility>

#include "core/splitmix64.h"

namespace greenbert {

// SplitMix64 (core/splitmix64.h): any seed is good.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}

  uint64_t next() { return splitmix64_mix(state_ += kSplitMix64Gamma); }

  // Uniform in [0, bound), bound > 0, without modulo bias: draws below the largest multiple
  // of `bound` that fits in 64 bits are rejected.
  uint64_t below(uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      uint64_t r = next();
      if (r >= threshold) return r % bound;
    }
  }

 private:
  uint64_t state_;
};

// Fisher-Yates shuffle driven by `random`.
template <typename T>
void seeded_shuffle(std::span<T> items, SeededRandom& random) {
  for (size_t i = items.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(random.below(i));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace greenbert
