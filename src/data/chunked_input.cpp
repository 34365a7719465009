#include "data/chunked_input.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace greenbert {

ChunkedInput::ChunkedInput(std::istream& in, std::string name, size_t chunk_bytes)
    : in_(in), name_(std::move(name)), chunk_bytes_(chunk_bytes > 0 ? chunk_bytes : 1) {}

bool ChunkedInput::read_more() {
  if (exhausted_) return false;
  if (start_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (capacity_ < end_ + chunk_bytes_) {
    capacity_ = std::max(2 * capacity_, end_ + chunk_bytes_);
    auto grown = std::make_unique_for_overwrite<char[]>(capacity_);
    if (end_ > 0) std::memcpy(grown.get(), buffer_.get(), end_);
    buffer_ = std::move(grown);
  }
  in_.read(buffer_.get() + end_, static_cast<std::streamsize>(chunk_bytes_));
  auto got = static_cast<size_t>(in_.gcount());
  if (in_.bad()) fail(name_, ": read failed: ", std::strerror(errno));
  end_ += got;
  if (got < chunk_bytes_) exhausted_ = true;
  return got > 0;
}

}  // namespace greenbert
