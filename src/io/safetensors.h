#pragma once
// safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON {"NAME": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}, then the data region, which the tensors must cover
// exactly — no overlaps, no holes (so no polyglot files).
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "io/tensor_file.h"

namespace greenbert {

// The reference implementation's limit on the JSON header.
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

// Validates the whole header and returns views into `file`. Tensors come in data order.
TensorSet read_safetensors(std::span<const std::byte> file, const std::string& label);

// Writes `tensors` atomically (a crash leaves the old file or the new one), streaming their
// bytes: no copy of the model is made. Layout is the reference implementation's: tensors
// sorted by dtype (widest alignment first) then by name, laid out contiguously; the JSON
// header padded with spaces to a multiple of 8 bytes, so every tensor is aligned to its
// element size; `metadata` (sorted by key) first when not empty. The same inputs always give
// the same bytes. Errors name the file and tensor (bad byte count, duplicate name...).
void write_safetensors(const std::filesystem::path& path, std::span<const NamedTensor> tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace greenbert
