#pragma once
// A read-only memory map of a whole file. Pages are read from disk (or the page cache) only
// when touched, so opening a 440 MB checkpoint costs almost no memory and the data is never
// held twice. Like every mmap-based loader, the file must not be truncated while mapped.
#include <cstddef>
#include <filesystem>
#include <span>

namespace greenbert {

class MappedFile {
 public:
  // Throws greenbert::Error "FILE: reason" if the file is missing, not a regular file or
  // cannot be mapped.
  static MappedFile open(const std::filesystem::path& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {data_, size_}; }

 private:
  MappedFile(const std::byte* data, size_t size) : data_(data), size_(size) {}
  void unmap();

  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

// Gives back the pages wholly inside `bytes`, a range of a mapping (they would otherwise stay
// resident next to what a loader made of them, doubling a load's peak memory); a later read
// faults them in again from the file.
void release_mapped_pages(std::span<const std::byte> bytes);

}  // namespace greenbert
