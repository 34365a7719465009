#pragma once
// A fixed-size, zero-initialised array aligned to 64 bytes (one cache line, one AVX-512
// register), the storage behind parameters, gradients, optimizer moments and activations.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <type_traits>

namespace greenbert {

inline constexpr size_t kTensorAlignment = 64;

template <typename T>
class AlignedArray {
  static_assert(std::is_trivially_copyable_v<T>, "AlignedArray holds plain numbers");

 public:
  AlignedArray() = default;
  explicit AlignedArray(size_t size) : size_(size) {
    if (size == 0) return;
    size_t bytes = (size * sizeof(T) + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
    data_.reset(static_cast<T*>(std::aligned_alloc(kTensorAlignment, bytes)));
    if (!data_) throw std::bad_alloc();
    std::memset(data_.get(), 0, bytes);
  }
  AlignedArray(const AlignedArray& other) : AlignedArray(other.size_) {
    if (size_ > 0) std::memcpy(data_.get(), other.data_.get(), size_ * sizeof(T));
  }
  AlignedArray& operator=(const AlignedArray& other) {
    if (this != &other) *this = AlignedArray(other);
    return *this;
  }
  AlignedArray(AlignedArray&&) noexcept = default;
  AlignedArray& operator=(AlignedArray&&) noexcept = default;

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::span<T> span() { return {data_.get(), size_}; }
  std::span<const T> span() const { return {data_.get(), size_}; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  void zero() {
    if (size_ > 0) std::memset(data_.get(), 0, size_ * sizeof(T));
  }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T[], Free> data_;
  size_t size_ = 0;
};

}  // namespace greenbert
