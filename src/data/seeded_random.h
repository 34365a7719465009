#pragma once
// A small, fully specified random generator for data shuffling: the same seed gives the same
// split with every compiler and standard library (std::shuffle and the std distributions do
// not promise that).
#include <cstdint>
#include <span>
#include <utility>

namespace greenbert {

// SplitMix64 (Steele, Lea, Flood 2014): 64 bits of state, passes BigCrush, any seed is good.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

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
