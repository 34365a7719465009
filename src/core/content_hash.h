#pragma once
// A 64-bit hash of a sequence of values, to notice that data changed (a resumed run's data
// file): fast (8 bytes per step), stable across runs, machines and versions (it is stored in
// files), not cryptographic. Each string is hashed with its length, so ("ab", "c") and
// ("a", "bc") differ.
#include <cstdint>
#include <string>
#include <string_view>

namespace greenbert {

class ContentHash {
 public:
  void add(std::string_view bytes);
  void add(int64_t value);
  // 16 lowercase hex digits.
  std::string hex() const;

 private:
  void mix(uint64_t word);
  uint64_t state_ = 0x243f6a8885a308d3ULL;  // pi's fraction: any fixed non-zero start
};

}  // namespace greenbert
