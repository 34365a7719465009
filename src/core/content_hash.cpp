#include "core/content_hash.h"

#include <cstdio>
#include <cstring>

namespace greenbert {
namespace {

// splitmix64's finaliser: every input bit reaches every output bit.
uint64_t avalanche(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

void ContentHash::mix(uint64_t word) {
  state_ = avalanche(state_ ^ (word * 0x9e3779b97f4a7c15ULL));
}

void ContentHash::add(int64_t value) {
  mix(static_cast<uint64_t>(value));
}

void ContentHash::add(std::string_view bytes) {
  add(static_cast<int64_t>(bytes.size()));
  size_t at = 0;
  for (; at + 8 <= bytes.size(); at += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + at, 8);  // little-endian hosts only (x86-64)
    mix(word);
  }
  if (at < bytes.size()) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + at, bytes.size() - at);
    mix(word);
  }
}

std::string ContentHash::hex() const {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(state_));
  return text;
}

}  // namespace greenbert
