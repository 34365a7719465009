#pragma once
// A restricted unpickler for PyTorch state dicts, in the spirit of torch.load(weights_only=True):
// it understands the protocol-2 opcodes torch.save emits and knows a handful of globals
// (collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter and the
// torch.*Storage types). It never calls anything: "calling" one of those globals builds a
// plain record. Any other opcode or global is an error naming it, so a malicious pickle
// (os.system, builtins.eval...) is rejected, not run.
//
// Objects live in one arena and refer to each other by index, so cyclic or shared references
// a crafted pickle may build cost nothing and cannot recurse. The memory the objects take is
// bounded by a multiple of the pickle's size (an error names the limit), so a small crafted
// pickle cannot claim gigabytes by referencing a long string or tuple many times.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/dtype.h"

namespace greenbert {

struct PickleObject {
  enum class Kind : uint8_t {
    None,
    Bool,
    Int,
    Float,
    String,
    Tuple,
    List,
    Dict,
    Global,
    Storage,
    Tensor
  };
  Kind kind = Kind::None;
  int64_t integer = 0;          // Bool, Int; Storage: element count; Tensor: storage offset
  double real = 0;              // Float
  std::string text;             // String; Global: "module.name"; Storage: key
  std::vector<uint32_t> items;  // Tuple, List: elements; Dict: key, value, key, value...;
                                // Tensor: {storage object}
  DType dtype = DType::F32;     // Storage, and Global of a storage type
  std::vector<int64_t> shape;   // Tensor
  std::vector<int64_t> stride;  // Tensor
};

std::string_view kind_name(PickleObject::Kind kind);

struct Unpickled {
  std::vector<PickleObject> objects;
  uint32_t root = 0;
  size_t size = 0;  // bytes the pickle occupied, up to and including STOP

  const PickleObject& operator[](uint32_t index) const { return objects[index]; }
};

// Reads one pickle from the start of `bytes` (bytes after its STOP are left alone). Errors
// read "LABEL: byte N: reason".
Unpickled unpickle(std::span<const std::byte> bytes, const std::string& label);

}  // namespace greenbert
