#include "io/torch_checkpoint.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "core/error.h"
#include "io/pickle.h"
#include "io/zip.h"

namespace greenbert {
namespace {

using Kind = PickleObject::Kind;

// pickle: PROTO 2, LONG1 of 10 bytes (torch's magic number 0x1950a86a20f9469cfc6c), STOP.
constexpr unsigned char kLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                          0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};
constexpr int64_t kLegacyProtocolVersion = 1001;

struct Storage {
  DType dtype;
  int64_t numel;
  std::span<const std::byte> bytes;  // numel * dtype_size bytes once located
  bool located = false;
};

struct StateEntry {
  std::string name;
  const PickleObject* tensor;
  std::string storage_key;
};

// The state_dict's (name, tensor) pairs in order, and the storages they use by key.
struct StateDict {
  std::vector<StateEntry> entries;
  std::map<std::string, Storage> storages;
};

StateDict read_state_dict(const Unpickled& pickle, const std::string& label) {
  const PickleObject& root = pickle[pickle.root];
  if (root.kind != Kind::Dict) {
    fail(label, ": the pickle holds a ", kind_name(root.kind), ", not a state_dict");
  }
  StateDict state;
  // Each name is copied once per entry: a name repeated (a memoised string keying every entry)
  // would multiply the file's size, and is no state_dict torch.save writes anyway.
  std::set<std::string_view> names;
  for (size_t i = 0; i < root.items.size(); i += 2) {
    const PickleObject& key = pickle[root.items[i]];
    const PickleObject& value = pickle[root.items[i + 1]];
    if (key.kind != Kind::String) fail(label, ": state_dict key is a ", kind_name(key.kind));
    if (!names.insert(key.text).second)
      fail(label, ": tensor ", key.text.substr(0, 200), ": duplicate name");
    if (value.kind != Kind::Tensor) {
      fail(label, ": tensor ", key.text, ": value is a ", kind_name(value.kind),
           ", not a tensor (only flat state_dicts are supported)");
    }
    const PickleObject& storage = pickle[value.items[0]];
    auto [it, inserted] = state.storages.try_emplace(
        storage.text, Storage{storage.dtype, storage.integer, {}, false});
    if (!inserted && (it->second.dtype != storage.dtype || it->second.numel != storage.integer)) {
      fail(label, ": tensor ", key.text, ": storage '", storage.text,
           "' is used with two different types or sizes");
    }
    state.entries.push_back({key.text, &value, storage.text});
  }
  return state;
}

void byteswap_elements(std::span<std::byte> bytes, size_t element_size) {
  for (size_t at = 0; at + element_size <= bytes.size(); at += element_size) {
    std::reverse(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                 bytes.begin() + static_cast<std::ptrdiff_t>(at + element_size));
  }
}

// Copies a strided view into a dense row-major buffer.
// storage (>= offset + sum((shape-1)*stride) + 1 elements), out (numel elements)
void gather(std::span<const std::byte> storage, size_t element_size, int64_t offset,
            const std::vector<int64_t>& shape, const std::vector<int64_t>& stride,
            std::span<std::byte> out) {
  size_t rank = shape.size();
  int64_t inner = rank > 0 ? shape.back() : 1;
  int64_t inner_stride = rank > 0 ? stride.back() : 1;
  auto row_bytes = static_cast<size_t>(inner) * element_size;
  std::vector<int64_t> index(rank, 0);
  int64_t base = offset;  // offset + sum(index[d] * stride[d]) over the outer dimensions
  for (size_t done = 0; done < out.size(); done += row_bytes) {
    std::byte* dst = out.data() + done;
    if (inner_stride == 1) {
      std::memcpy(dst, storage.data() + base * static_cast<int64_t>(element_size), row_bytes);
    } else {
      for (int64_t j = 0; j < inner; ++j) {
        std::memcpy(dst + j * static_cast<int64_t>(element_size),
                    storage.data() + (base + j * inner_stride) * static_cast<int64_t>(element_size),
                    element_size);
      }
    }
    for (size_t d = rank > 0 ? rank - 1 : 0; d-- > 0;) {  // odometer over outer dimensions
      if (++index[d] < shape[d]) {
        base += stride[d];
        break;
      }
      base -= (shape[d] - 1) * stride[d];
      index[d] = 0;
    }
  }
}

// What the tensors copied out of strided views may take in all: a small multiple of the storage
// the file really holds. Only overlapping views (stride 0, expand) are larger than their storage,
// and without a bound on their sum a few KB of pickle could ask for gigabytes, every view being
// within bounds on its own.
struct CopyBudget {
  static constexpr uint64_t kFactor = 2;
  static constexpr uint64_t kSlack = uint64_t{1} << 20;  // small tensors of tiny files
  uint64_t storage = 0;                                  // bytes of all storages
  uint64_t copied = 0;                                   // bytes copied so far

  uint64_t limit() const { return kFactor * storage + kSlack; }
};

void add_tensor(TensorSet& set, const std::string& label, const StateEntry& entry,
                const Storage& storage, bool big_endian, CopyBudget& budget) {
  const PickleObject& tensor = *entry.tensor;
  auto fail_tensor = [&](const auto&... args) {
    fail(label, ": tensor ", entry.name, ": ", args...);
  };
  const auto element_size = static_cast<int64_t>(dtype_size(storage.dtype));
  TensorView view{storage.dtype, tensor.shape, {}};
  int64_t numel = 1;
  int64_t last = tensor.integer;  // element index of the view's last element
  for (size_t d = 0; d < tensor.shape.size(); ++d) {
    int64_t reach;
    if (__builtin_mul_overflow(numel, tensor.shape[d], &numel) ||
        __builtin_mul_overflow(std::max<int64_t>(tensor.shape[d] - 1, 0), tensor.stride[d],
                               &reach) ||
        __builtin_add_overflow(last, reach, &last)) {
      fail_tensor("shape or strides overflow 64 bits");
    }
  }
  if (numel > 0) {
    if (last >= storage.numel) {
      fail_tensor("view (offset ", tensor.integer, ", shape ", format_shape(tensor.shape),
                  ", stride ", format_shape(tensor.stride), ") reaches element ", last,
                  " but storage '", entry.storage_key, "' holds ", storage.numel, " elements");
    }
    bool contiguous = true;
    int64_t expected = 1;
    for (size_t d = tensor.shape.size(); d-- > 0;) {
      if (tensor.shape[d] != 1 && tensor.stride[d] != expected) contiguous = false;
      expected *= tensor.shape[d];
    }
    int64_t dense;
    const bool copied = !contiguous || big_endian;
    if (__builtin_mul_overflow(numel, element_size, &dense))
      fail_tensor("view of shape ", format_shape(tensor.shape), " and stride ",
                  format_shape(tensor.stride), " expands past 64 bits");
    if (copied && static_cast<uint64_t>(dense) > budget.limit() - budget.copied)
      fail_tensor("view of shape ", format_shape(tensor.shape), " and stride ",
                  format_shape(tensor.stride), " expands to ", dense,
                  " bytes, more than the copies of strided views may take: ", CopyBudget::kFactor,
                  " x the ", budget.storage, " bytes of storage the file holds (+1 MiB) in all, ",
                  budget.copied,
                  " bytes of which are taken. Stride-0 or overlapping views "
                  "expand data beyond what the file holds");
    auto bytes = static_cast<size_t>(dense);
    if (!copied) {
      view.bytes = storage.bytes.subspan(static_cast<size_t>(tensor.integer * element_size), bytes);
    } else {
      budget.copied += bytes;
      auto& copy = set.owned.emplace_back(bytes);
      gather(storage.bytes, static_cast<size_t>(element_size), tensor.integer, tensor.shape,
             tensor.stride, copy);
      if (big_endian) byteswap_elements(copy, static_cast<size_t>(element_size));
      view.bytes = copy;
    }
  }
  set.tensors.push_back({entry.name, std::move(view)});
}

TensorSet build(StateDict& state, const std::string& format, const std::string& label,
                bool big_endian) {
  TensorSet set;
  set.format = format;
  CopyBudget budget;
  for (const auto& [key, storage] : state.storages) budget.storage += storage.bytes.size();
  for (const auto& entry : state.entries) {
    add_tensor(set, label, entry, state.storages.at(entry.storage_key), big_endian, budget);
  }
  return set;
}

// The storage's size in bytes as the pickle declares it.
uint64_t storage_bytes(const std::string& label, const std::string& key, const Storage& storage) {
  uint64_t bytes;
  if (__builtin_mul_overflow(static_cast<uint64_t>(storage.numel), dtype_size(storage.dtype),
                             &bytes)) {
    fail(label, ": storage '", key, "' is too large (", storage.numel, " elements)");
  }
  return bytes;
}

}  // namespace

bool is_zip(std::span<const std::byte> file) {
  return file.size() >= 4 && std::memcmp(file.data(), "PK\x03\x04", 4) == 0;
}

bool is_torch_legacy(std::span<const std::byte> file) {
  return file.size() >= sizeof(kLegacyMagic) &&
         std::memcmp(file.data(), kLegacyMagic, sizeof(kLegacyMagic)) == 0;
}

TensorSet read_torch_zip(std::span<const std::byte> file, const std::string& label) {
  auto entries = read_zip(file, label);
  std::map<std::string, std::span<const std::byte>, std::less<>> by_name;
  for (const auto& entry : entries) by_name.emplace(entry.name, entry.data);
  // torch names every record "<archive>/<record>"; the archive name is the first entry's folder.
  std::string prefix =
      entries.empty() ? "" : entries.front().name.substr(0, entries.front().name.find('/'));
  auto pickle_entry = by_name.find(prefix + "/data.pkl");
  if (pickle_entry == by_name.end()) {
    fail(label, ": ZIP archive without '", prefix, "/data.pkl': not a PyTorch checkpoint");
  }
  bool big_endian = false;
  if (auto order = by_name.find(prefix + "/byteorder"); order != by_name.end()) {
    std::string_view text(reinterpret_cast<const char*>(order->second.data()),
                          order->second.size());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text != "little" && text != "big") fail(label, ": byteorder record says '", text, "'");
    big_endian = text == "big";
  }
  std::string pickle_label = cat(label, ": ", pickle_entry->first);
  Unpickled pickle = unpickle(pickle_entry->second, pickle_label);
  if (pickle.size != pickle_entry->second.size()) {
    fail(pickle_label, ": ", pickle_entry->second.size() - pickle.size,
         " bytes after the pickle's STOP");
  }
  StateDict state = read_state_dict(pickle, label);
  for (auto& [key, storage] : state.storages) {
    auto found = by_name.find(cat(prefix, "/data/", key));
    if (found == by_name.end())
      fail(label, ": storage '", key, "' has no ZIP entry ", prefix, "/data/", key);
    if (found->second.size() != storage_bytes(label, key, storage)) {
      fail(label, ": storage '", key, "' has ", found->second.size(),
           " bytes but the pickle declares ", storage.numel, " elements of ",
           dtype_name(storage.dtype));
    }
    storage.bytes = found->second;
  }
  return build(state, "pytorch-zip", label, big_endian);
}

TensorSet read_torch_legacy(std::span<const std::byte> file, const std::string& label) {
  size_t pos = sizeof(kLegacyMagic);
  auto next = [&](const char* what) {
    Unpickled pickle =
        unpickle(file.subspan(pos), cat(label, ": legacy ", what, " pickle at byte ", pos));
    pos += pickle.size;
    return pickle;
  };
  Unpickled protocol = next("protocol version");
  if (protocol[protocol.root].kind != Kind::Int ||
      protocol[protocol.root].integer != kLegacyProtocolVersion) {
    fail(label, ": legacy PyTorch protocol version is not ", kLegacyProtocolVersion);
  }
  Unpickled sys_info = next("sys_info");
  const PickleObject& info = sys_info[sys_info.root];
  std::optional<bool> little_endian;
  if (info.kind == Kind::Dict) {
    for (size_t i = 0; i < info.items.size(); i += 2) {
      const auto& key = sys_info[info.items[i]];
      const auto& value = sys_info[info.items[i + 1]];
      if (key.kind == Kind::String && key.text == "little_endian" && value.kind == Kind::Bool) {
        little_endian = value.integer != 0;
      }
    }
  }
  if (!little_endian)
    fail(label, ": legacy sys_info does not say whether the file is little-endian");
  bool big_endian = !*little_endian;
  Unpickled state_pickle = next("state_dict");
  StateDict state = read_state_dict(state_pickle, label);
  Unpickled keys = next("storage keys");
  const PickleObject& key_list = keys[keys.root];
  if (key_list.kind != Kind::List)
    fail(label, ": legacy storage key list is a ", kind_name(key_list.kind));
  for (uint32_t item : key_list.items) {
    const PickleObject& key = keys[item];
    if (key.kind != Kind::String) fail(label, ": legacy storage key is a ", kind_name(key.kind));
    auto found = state.storages.find(key.text);
    if (found == state.storages.end())
      fail(label, ": storage '", key.text, "' is used by no tensor");
    Storage& storage = found->second;
    if (storage.located) fail(label, ": storage '", key.text, "' is listed twice");
    if (file.size() - pos < 8) fail(label, ": truncated before storage '", key.text, "'");
    uint64_t numel;
    std::memcpy(&numel, file.data() + pos, 8);
    if (big_endian) numel = __builtin_bswap64(numel);
    pos += 8;
    if (numel != static_cast<uint64_t>(storage.numel)) {
      fail(label, ": storage '", key.text, "' has ", numel, " elements, the pickle says ",
           storage.numel);
    }
    uint64_t bytes = storage_bytes(label, key.text, storage);
    if (file.size() - pos < bytes) fail(label, ": truncated inside storage '", key.text, "'");
    storage.bytes = file.subspan(pos, bytes);
    storage.located = true;
    pos += bytes;
  }
  for (const auto& [key, storage] : state.storages) {
    if (!storage.located) fail(label, ": storage '", key, "' is missing from the legacy file");
  }
  if (pos != file.size())
    fail(label, ": ", file.size() - pos, " unexpected bytes after the last storage");
  return build(state, "pytorch-legacy", label, big_endian);
}

}  // namespace greenbert
