#include "data/chunked_input.h"

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace greenbert {

ChunkedInput::ChunkedInput(std::istream& in, std::string name, size_t chunk_bytes)
    : in_(in), name_(std::move(name)), chunk_bytes_(chunk_bytes > 0 ? chunk_bytes : 1) {}

bool ChunkedInput::read_more() {
  if (exhausted_) return false;
  if (start_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (buffer_.size() < end_ + chunk_bytes_) buffer_.resize(end_ + chunk_bytes_);
  in_.read(buffer_.data() + end_, static_cast<std::streamsize>(chunk_bytes_));
  auto got = static_cast<size_t>(in_.gcount());
  if (in_.bad()) fail(name_, ": read failed: ", std::strerror(errno));
  end_ += got;
  if (got < chunk_bytes_) exhausted_ = true;
  return got > 0;
}

}  // namespace greenbert
