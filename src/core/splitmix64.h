#pragma once
// SplitMix64 (Steele, Lea, Flood 2014), the one source of pseudo-random bits: a generator with 64
// bits of state that passes BigCrush, and its output function, a bijective, well-mixed hash of a
// 64-bit word that counter-based streams (dropout masks, derived seeds) are built from.
#include <cstdint>

namespace greenbert {

inline constexpr uint64_t kSplitMix64Gamma = 0x9e3779b97f4a7c15ull;  // the state's increment

// SplitMix64's output function.
inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Output i (0-based) of the generator seeded with `state`, without stepping through the others.
inline uint64_t splitmix64_at(uint64_t state, uint64_t i) {
  return splitmix64_mix(state + (i + 1) * kSplitMix64Gamma);
}

}  // namespace greenbert
