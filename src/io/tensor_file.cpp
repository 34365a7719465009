#include "io/tensor_file.h"

#include <set>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/torch_checkpoint.h"

namespace greenbert {

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t dim : shape) n *= dim;
  return n;
}

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += cat(i > 0 ? ", " : "", shape[i]);
  return text + "]";
}

std::vector<float> to_float32(const TensorView& view) {
  std::vector<float> values(static_cast<size_t>(view.numel()));
  to_float32(view.dtype, view.bytes, values);
  return values;
}

TensorSet read_tensor_set(std::span<const std::byte> file, const std::string& label) {
  TensorSet set;
  if (is_torch_legacy(file)) {
    set = read_torch_legacy(file, label);
  } else if (is_zip(file)) {
    set = read_torch_zip(file, label);
  } else if (file.size() >= 9 && file[8] == std::byte{'{'}) {
    set = read_safetensors(file, label);
  } else {
    fail(label,
         ": not a checkpoint: neither safetensors (8-byte length, then '{'), nor a PyTorch "
         "ZIP ('PK') or legacy pickle");
  }
  std::set<std::string_view> names;
  for (const auto& tensor : set.tensors) {
    if (!names.insert(tensor.name).second)
      fail(label, ": tensor ", tensor.name, ": duplicate name");
  }
  return set;
}

TensorFile TensorFile::open(const std::filesystem::path& path) {
  MappedFile file = MappedFile::open(path);
  TensorSet set = read_tensor_set(file.bytes(), path.string());
  return TensorFile(path, std::move(file), std::move(set));
}

TensorFile::TensorFile(std::filesystem::path path, MappedFile file, TensorSet set)
    : path_(std::move(path)), file_(std::move(file)), set_(std::move(set)) {
  for (size_t i = 0; i < set_.tensors.size(); ++i) index_.emplace(set_.tensors[i].name, i);
}

std::vector<std::string> TensorFile::names() const {
  std::vector<std::string> out;
  out.reserve(set_.tensors.size());
  for (const auto& tensor : set_.tensors) out.push_back(tensor.name);
  return out;
}

bool TensorFile::contains(std::string_view name) const {
  return index_.find(name) != index_.end();
}

const TensorView& TensorFile::at(std::string_view name) const {
  auto found = index_.find(name);
  if (found == index_.end()) fail(path_.string(), ": tensor ", name, ": not found");
  return set_.tensors[found->second].view;
}

}  // namespace greenbert
