#pragma once
// Many float buffers carved out of one 64-byte aligned allocation: each piece is registered
// with the pointer that will address it, then allocate() sizes the arena and sets them all.
#include <cstdint>
#include <utility>
#include <vector>

#include "tensor/aligned_array.h"

namespace greenbert {

class ArenaPlan {
 public:
  void add(float*& pointer, int64_t size) { pieces_.emplace_back(&pointer, size); }

  AlignedArray<float> allocate() {
    int64_t total = 0;
    for (const auto& piece : pieces_) total += aligned(piece.second);
    AlignedArray<float> arena(static_cast<size_t>(total));
    int64_t offset = 0;
    for (const auto& [pointer, size] : pieces_) {
      *pointer = arena.data() + offset;
      offset += aligned(size);
    }
    return arena;
  }

 private:
  static int64_t aligned(int64_t n) {
    constexpr int64_t kFloats = static_cast<int64_t>(kTensorAlignment / sizeof(float));
    return (n + kFloats - 1) / kFloats * kFloats;
  }
  std::vector<std::pair<float**, int64_t>> pieces_;
};

}  // namespace greenbert
