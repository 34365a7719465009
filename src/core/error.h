#pragma once
// One error type for everything a user can act on: bad input files, bad options, bad models.
// The message is complete ("FILE:LINE: reason", "model.safetensors: tensor X: reason"); the
// CLI prints it as is and exits non-zero.
#include <sstream>
#include <stdexcept>
#include <string>

namespace greenbert {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Concatenates anything streamable; the project's one way to build messages (GCC 12 has no
// <format>).
template <typename... Args>
std::string cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(cat(args...));
}

}  // namespace greenbert
