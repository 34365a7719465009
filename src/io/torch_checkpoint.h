#pragma once
// PyTorch checkpoints (pytorch_model.bin) holding a state_dict, name -> tensor:
// - the ZIP format of torch >= 1.6: "<archive>/data.pkl" (the pickle), "<archive>/data/<key>"
//   (one raw storage per key), optionally "<archive>/byteorder";
// - the legacy format before it: five pickles in a row (magic number, protocol version,
//   sys_info, the state_dict, the storage keys), then for each key its element count (int64)
//   and raw bytes.
// Tensors may be views (offset, strides) of shared storages: contiguous little-endian views
// point into the file, the others are copied (and byte-swapped for big-endian files).
#include <span>
#include <string>

#include "io/tensor_file.h"

namespace greenbert {

bool is_zip(std::span<const std::byte> file);
bool is_torch_legacy(std::span<const std::byte> file);

TensorSet read_torch_zip(std::span<const std::byte> file, const std::string& label);
TensorSet read_torch_legacy(std::span<const std::byte> file, const std::string& label);

}  // namespace greenbert
