#pragma once
// The model-file layer: one entry point that opens a checkpoint (safetensors, PyTorch zip or
// legacy PyTorch pickle — chosen by content, not by extension), validates all of it, and
// exposes its named tensors as contiguous little-endian bytes.
//
//   auto file = TensorFile::open("model.safetensors");
//   const TensorView& w = file.at("bert.embeddings.word_embeddings.weight");
//   std::vector<float> values = to_float32(w);     // any floating dtype
//
// Every problem is a greenbert::Error "FILE: reason" or "FILE: tensor NAME: reason".
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/dtype.h"
#include "io/mapped_file.h"

namespace greenbert {

// A dense row-major tensor. `bytes` holds exactly numel() * dtype_size(dtype) bytes and may
// be unaligned (it can point into a mapped file): read it with to_float32 or memcpy.
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // empty for a scalar
  std::span<const std::byte> bytes;

  int64_t numel() const;
};

struct NamedTensor {
  std::string name;
  TensorView view;
};

// "[2, 3]"; "[]" for a scalar.
std::string format_shape(const std::vector<int64_t>& shape);

// The values of a floating tensor as float32 (copies; widens F16/BF16, rounds F64).
std::vector<float> to_float32(const TensorView& view);

// What a format reader produces: tensors whose bytes point into the file's bytes or into
// `owned` (copies made for strided views or byte-swapped files).
struct TensorSet {
  std::string format;  // "safetensors", "pytorch-zip", "pytorch-legacy"
  std::vector<NamedTensor> tensors;
  std::map<std::string, std::string> metadata;
  std::vector<std::vector<std::byte>> owned;
};

// Detects the format of `file` from its first bytes and reads it. `label` (the path) starts
// every error message. The result's views may point into `file`, which must outlive them.
TensorSet read_tensor_set(std::span<const std::byte> file, const std::string& label);

// An opened, validated checkpoint; owns its storage (a read-only mmap of the file plus any
// copies). Movable; views stay valid for the object's lifetime.
class TensorFile {
 public:
  static TensorFile open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const std::string& format() const { return set_.format; }
  // In file order: safetensors by position of the data, PyTorch in state_dict order.
  std::span<const NamedTensor> tensors() const { return set_.tensors; }
  std::vector<std::string> names() const;
  bool contains(std::string_view name) const;
  // Throws "FILE: tensor NAME: not found".
  const TensorView& at(std::string_view name) const;
  // safetensors' __metadata__ (empty for PyTorch files).
  const std::map<std::string, std::string>& metadata() const { return set_.metadata; }

 private:
  TensorFile(std::filesystem::path path, MappedFile file, TensorSet set);

  std::filesystem::path path_;
  MappedFile file_;
  TensorSet set_;
  std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace greenbert
