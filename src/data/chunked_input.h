#pragma once
// A window over a stream read in fixed-size chunks. Parsers look at the unconsumed bytes as
// one contiguous range, consume what they have parsed and ask for more when a record runs past
// the end, so memory stays at about one chunk plus the longest record, whatever the file size.
#include <cstddef>
#include <istream>
#include <memory>
#include <string>

namespace greenbert {

class ChunkedInput {
 public:
  static constexpr size_t kDefaultChunkBytes = size_t{1} << 20;

  // Reads `in` (which must outlive this object) `chunk_bytes` at a time; `name` is the file
  // name that read errors mention.
  ChunkedInput(std::istream& in, std::string name, size_t chunk_bytes);

  // The unconsumed bytes. Writable, so a parser may unescape a complete record in place.
  char* begin() { return buffer_.get() + start_; }
  char* end() { return buffer_.get() + end_; }
  size_t size() const { return end_ - start_; }
  void consume(size_t bytes) { start_ += bytes; }

  // Appends the next chunk to the window (moving the unconsumed bytes to the front first).
  // Returns false once the stream is exhausted and nothing was added.
  bool read_more();
  // True once the stream has no more bytes: what is in the window is all there is.
  bool exhausted() const { return exhausted_; }

 private:
  std::istream& in_;
  std::string name_;
  size_t chunk_bytes_;
  std::unique_ptr<char[]> buffer_;  // not zero-filled: only bytes read are ever looked at
  size_t capacity_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
  bool exhausted_ = false;
};

}  // namespace greenbert
