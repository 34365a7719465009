#pragma once
// Builders for checkpoint bytes (safetensors, ZIP, PyTorch pickles) so that tests can craft
// valid files and corrupt them precisely, plus comparison helpers.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/tensor_file.h"
#include "io/zip.h"
#include "support.h"

namespace greenbert::testing {

inline std::span<const std::byte> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

inline std::filesystem::path io_data(const std::string& name) {
  return source_dir() / "tests" / "data" / "io" / name;
}

template <typename T>
std::string le_bytes(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

// "8-byte length + header + data", the header taken as is (no padding), for crafted files.
inline std::string safetensors_bytes(const std::string& header, const std::string& data) {
  return le_bytes<uint64_t>(header.size()) + header + data;
}

// The message of the Error that reading `bytes` raises, or "" when it reads fine.
inline std::string read_error(const std::string& bytes, const std::string& label = "bad.bin") {
  try {
    read_tensor_set(as_bytes(bytes), label);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ZIP pieces for stored entries without data descriptors (as Python's zipfile writes them).
inline std::string zip_local_header(const std::string& name, const std::string& data) {
  return le_bytes<uint32_t>(0x04034b50) + le_bytes<uint16_t>(20) + le_bytes<uint16_t>(0) +
         le_bytes<uint16_t>(0) + le_bytes<uint32_t>(0) + le_bytes(crc32(as_bytes(data))) +
         le_bytes(static_cast<uint32_t>(data.size())) +
         le_bytes(static_cast<uint32_t>(data.size())) +
         le_bytes(static_cast<uint16_t>(name.size())) + le_bytes<uint16_t>(0) + name;
}
inline std::string zip_central_header(const std::string& name, const std::string& data,
                                      uint32_t local_offset) {
  return le_bytes<uint32_t>(0x02014b50) + le_bytes<uint16_t>(20) + le_bytes<uint16_t>(20) +
         le_bytes<uint16_t>(0) + le_bytes<uint16_t>(0) + le_bytes<uint32_t>(0) +
         le_bytes(crc32(as_bytes(data))) + le_bytes(static_cast<uint32_t>(data.size())) +
         le_bytes(static_cast<uint32_t>(data.size())) +
         le_bytes(static_cast<uint16_t>(name.size())) + le_bytes<uint16_t>(0) +
         le_bytes<uint16_t>(0) + le_bytes<uint16_t>(0) + le_bytes<uint16_t>(0) +
         le_bytes<uint32_t>(0) + le_bytes(local_offset) + name;
}
inline std::string zip_end_record(size_t entries, size_t directory_size, size_t directory_offset) {
  return le_bytes<uint32_t>(0x06054b50) + le_bytes<uint16_t>(0) + le_bytes<uint16_t>(0) +
         le_bytes(static_cast<uint16_t>(entries)) + le_bytes(static_cast<uint16_t>(entries)) +
         le_bytes(static_cast<uint32_t>(directory_size)) +
         le_bytes(static_cast<uint32_t>(directory_offset)) + le_bytes<uint16_t>(0);
}

inline std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, directory;
  for (const auto& [name, data] : entries) {
    directory += zip_central_header(name, data, static_cast<uint32_t>(out.size()));
    out += zip_local_header(name, data) + data;
  }
  return out + directory + zip_end_record(entries.size(), directory.size(), out.size());
}

// Assembles protocol-2 pickles opcode by opcode.
struct PickleWriter {
  std::string bytes = "\x80\x02";

  PickleWriter& op(char code) {
    bytes += code;
    return *this;
  }
  PickleWriter& str(const std::string& text) {
    bytes += 'X' + le_bytes(static_cast<uint32_t>(text.size())) + text;
    return *this;
  }
  PickleWriter& integer(int32_t value) {
    bytes += 'J' + le_bytes(value);
    return *this;
  }
  PickleWriter& global(const std::string& module, const std::string& name) {
    bytes += "c" + module + "\n" + name + "\n";
    return *this;
  }
  PickleWriter& int_tuple(const std::vector<int32_t>& values) {
    op('(');
    for (int32_t v : values) integer(v);
    return op('t');
  }
  // Pushes _rebuild_tensor_v2(storage(key, numel), offset, shape, stride, False, OrderedDict()).
  PickleWriter& tensor(const std::string& storage_type, const std::string& key, int32_t numel,
                       int32_t offset, const std::vector<int32_t>& shape,
                       const std::vector<int32_t>& stride) {
    global("torch._utils", "_rebuild_tensor_v2").op('(');
    op('(').str("storage").global("torch", storage_type).str(key).str("cpu").integer(numel);
    op('t').op('Q');
    integer(offset).int_tuple(shape).int_tuple(stride).op('\x89');
    global("collections", "OrderedDict").op(')').op('R');
    return op('t').op('R');
  }
  std::string done() { return bytes + "."; }
};

// A torch-style ZIP checkpoint: archive/data.pkl, archive/data/<key>..., archive/version.
inline std::string torch_zip(const std::string& pickle,
                             const std::vector<std::pair<std::string, std::string>>& storages) {
  std::vector<std::pair<std::string, std::string>> entries = {{"archive/data.pkl", pickle}};
  for (const auto& [key, data] : storages) entries.emplace_back("archive/data/" + key, data);
  entries.emplace_back("archive/version", "3\n");
  return make_zip(entries);
}

inline std::string floats(const std::vector<float>& values) {
  std::string out(values.size() * 4, '\0');
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline std::string contents(const TensorView& view) {
  return {reinterpret_cast<const char*>(view.bytes.data()), view.bytes.size()};
}

// Same names, dtypes, shapes and bytes (bit-identical), in any order.
inline void expect_same_tensors(std::span<const NamedTensor> actual,
                                std::span<const NamedTensor> expected) {
  ASSERT_EQ(actual.size(), expected.size());
  std::map<std::string, const TensorView*> by_name;
  for (const auto& tensor : expected) by_name[tensor.name] = &tensor.view;
  for (const auto& tensor : actual) {
    SCOPED_TRACE(tensor.name);
    auto found = by_name.find(tensor.name);
    ASSERT_NE(found, by_name.end());
    EXPECT_EQ(tensor.view.dtype, found->second->dtype);
    EXPECT_EQ(tensor.view.shape, found->second->shape);
    EXPECT_EQ(contents(tensor.view), contents(*found->second));
  }
}

}  // namespace greenbert::testing
