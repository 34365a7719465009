#pragma once
// Checks shared by the targets that read model files (safetensors, PyTorch, quantized models).
#include <cstring>
#include <string>
#include <string_view>

#include "io/tensor_file.h"
#include "target.h"

namespace greenbert::fuzz {

// A safetensors file from `input`: the header's JSON up to the first NUL byte, the data region
// after it (the 8-byte length is computed). The fuzzer can then mutate the header as text
// without keeping a binary length in step with it.
inline std::string frame_safetensors(std::string_view input) {
  const size_t nul = input.find('\0');
  const std::string_view header = input.substr(0, nul);
  const std::string_view data = nul == std::string_view::npos ? "" : input.substr(nul + 1);
  const uint64_t length = header.size();  // little-endian, as on every machine greenbert runs on
  std::string file(sizeof length, '\0');
  std::memcpy(file.data(), &length, sizeof length);
  return file.append(header).append(data);
}

// Every byte of a tensor is read (so that ASan checks the view's bounds) and its size is what
// its shape and dtype say.
inline void check_view(const TensorView& view) {
  require(view.bytes.size() == static_cast<size_t>(view.numel()) * dtype_size(view.dtype),
          "a tensor's byte count differs from its shape and dtype");
  volatile unsigned sum = 0;
  for (std::byte b : view.bytes) sum = sum + static_cast<unsigned>(b);
  if (is_floating(view.dtype)) to_float32(view);
}

inline void check_tensor_set(const TensorSet& set) {
  for (const auto& tensor : set.tensors) check_view(tensor.view);
}

}  // namespace greenbert::fuzz
