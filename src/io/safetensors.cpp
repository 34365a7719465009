#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"

namespace greenbert {
namespace {

using Json = nlohmann::ordered_json;  // keeps the header's order for error messages and ties

constexpr std::string_view kMetadataKey = "__metadata__";

// Position in the reference implementation's dtype enum, which is in increasing alignment;
// its writer sorts by it, descending, then by name.
int reference_rank(DType dtype) {
  switch (dtype) {
    case DType::BOOL:
      return 0;
    case DType::U8:
      return 1;
    case DType::I8:
      return 2;
    case DType::I16:
      return 3;
    case DType::F16:
      return 4;
    case DType::BF16:
      return 5;
    case DType::I32:
      return 6;
    case DType::F32:
      return 7;
    case DType::F64:
      return 8;
    case DType::I64:
      return 9;
  }
  return 0;
}

std::string supported_dtypes() {
  std::string names;
  for (DType dtype : kAllDTypes) names += cat(names.empty() ? "" : " ", dtype_name(dtype));
  return names;
}

struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

class HeaderReader {
 public:
  HeaderReader(const std::string& label, uint64_t data_size)
      : label_(label), data_size_(data_size) {}

  Json parse(std::string_view text) {
    // nlohmann keeps the last of duplicate keys silently; the callback sees every key first.
    std::vector<std::set<std::string>> open_objects;
    Json::parser_callback_t reject_duplicates = [&](int, Json::parse_event_t event, Json& parsed) {
      if (event == Json::parse_event_t::object_start) open_objects.emplace_back();
      if (event == Json::parse_event_t::object_end) open_objects.pop_back();
      if (event == Json::parse_event_t::key) {
        auto key = parsed.get<std::string>();
        if (!open_objects.back().insert(key).second) {
          if (open_objects.size() == 1)
            fail(label_, ": tensor ", key, ": duplicate name in the header");
          fail(label_, ": safetensors header: duplicate key '", key, "'");
        }
      }
      return true;
    };
    return parse_ordered_json(text, cat(label_, ": safetensors header"), reject_duplicates);
  }

  void read_metadata(const Json& value, std::map<std::string, std::string>& metadata) const {
    if (!value.is_object()) fail(label_, ": safetensors header: __metadata__ is not an object");
    for (const auto& [key, text] : value.items()) {
      if (!text.is_string()) {
        fail(label_, ": safetensors header: __metadata__ value of '", key, "' is a ",
             text.type_name(), ", not a string");
      }
      metadata.emplace(key, text.get<std::string>());
    }
  }

  Entry read_entry(const std::string& name, const Json& value) const {
    auto bad = [&](const auto&... args) { fail(label_, ": tensor ", name, ": ", args...); };
    if (!value.is_object()) bad("header entry is a ", value.type_name(), ", not an object");
    for (const auto& [key, unused] : value.items()) {
      if (key != "dtype" && key != "shape" && key != "data_offsets")
        bad("unknown field '", key, "'");
    }
    if (!value.contains("dtype") || !value["dtype"].is_string()) bad("missing or non-string dtype");
    auto dtype_text = value["dtype"].get<std::string>();
    auto dtype = parse_dtype(dtype_text);
    if (!dtype) bad("unsupported dtype '", dtype_text, "' (supported: ", supported_dtypes(), ")");

    Entry entry{name, *dtype, {}, 0, 0};
    if (!value.contains("shape") || !value["shape"].is_array()) bad("missing or non-array shape");
    uint64_t numel = 1;
    for (const auto& dim : value["shape"]) {
      if (!dim.is_number_unsigned() || dim.get<uint64_t>() > std::numeric_limits<int64_t>::max()) {
        bad("shape ", value["shape"].dump(), " is not a list of non-negative integers");
      }
      uint64_t size = dim.get<uint64_t>();
      if (__builtin_mul_overflow(numel, size, &numel) ||
          numel > std::numeric_limits<int64_t>::max()) {
        bad("shape ", value["shape"].dump(), " has more elements than 64 bits can count");
      }
      entry.shape.push_back(static_cast<int64_t>(size));
    }
    const Json* offsets = value.contains("data_offsets") ? &value["data_offsets"] : nullptr;
    if (offsets == nullptr || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
      bad("data_offsets must be [begin, end], two non-negative integers");
    }
    entry.begin = (*offsets)[0].get<uint64_t>();
    entry.end = (*offsets)[1].get<uint64_t>();
    if (entry.begin > entry.end) bad("data_offsets ", offsets->dump(), " end before they begin");
    if (entry.end > data_size_) {
      bad("data_offsets ", offsets->dump(), " are outside the data region of ", data_size_,
          " bytes");
    }
    uint64_t bytes;
    if (__builtin_mul_overflow(numel, dtype_size(*dtype), &bytes)) {
      bad("shape ", value["shape"].dump(), " of ", dtype_text,
          " needs more bytes than 64 bits can count");
    }
    if (entry.end - entry.begin != bytes) {
      bad("data_offsets ", offsets->dump(), " hold ", entry.end - entry.begin, " bytes but shape ",
          value["shape"].dump(), " of ", dtype_text, " needs ", bytes);
    }
    return entry;
  }

 private:
  const std::string& label_;
  uint64_t data_size_;
};

std::string json_string(const std::filesystem::path& path, const std::string& text) {
  try {
    return Json(text).dump();
  } catch (const Json::type_error&) {
    fail(path.string(), ": tensor ", text, ": name or metadata is not valid UTF-8");
  }
}

}  // namespace

TensorSet read_safetensors(std::span<const std::byte> file, const std::string& label) {
  if (file.size() < 8) {
    fail(label, ": safetensors: ", file.size(),
         "-byte file is too short for the 8-byte header length");
  }
  uint64_t header_size;
  std::memcpy(&header_size, file.data(), 8);
  if (header_size > kMaxSafetensorsHeader) {
    fail(label, ": safetensors: header length ", header_size, " is over the ",
         kMaxSafetensorsHeader, "-byte limit");
  }
  if (header_size > file.size() - 8) {
    fail(label, ": safetensors: header length ", header_size, " runs past the end of the ",
         file.size(), "-byte file");
  }
  std::string_view text(reinterpret_cast<const char*>(file.data() + 8), header_size);
  if (text.empty() || text.front() != '{')
    fail(label, ": safetensors: header does not start with '{'");
  auto data = file.subspan(8 + header_size);

  HeaderReader reader(label, data.size());
  Json header = reader.parse(text);
  TensorSet set;
  set.format = "safetensors";
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      reader.read_metadata(value, set.metadata);
    } else {
      entries.push_back(reader.read_entry(name, value));
    }
  }

  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    if (entry.begin < covered) {
      fail(label, ": tensor ", entry.name, ": data [", entry.begin, ", ", entry.end,
           ") overlaps tensor ", entries[i - 1].name, " (which ends at ", covered, ")");
    }
    if (entry.begin > covered) {
      fail(label, ": tensor ", entry.name, ": the ", entry.begin - covered,
           " bytes before it (from ", covered,
           ") belong to no tensor; safetensors forbids holes in the data region");
    }
    covered = entry.end;
  }
  if (covered != data.size()) {
    fail(label, ": safetensors: the last ", data.size() - covered,
         " bytes of the data region belong to no tensor; safetensors forbids holes");
  }
  set.tensors.reserve(entries.size());
  for (auto& entry : entries) {
    auto bytes = data.subspan(entry.begin, entry.end - entry.begin);
    set.tensors.push_back({std::move(entry.name), {entry.dtype, std::move(entry.shape), bytes}});
  }
  return set;
}

void write_safetensors(const std::filesystem::path& path, std::span<const NamedTensor> tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<const NamedTensor*> order;
  std::set<std::string_view> names;
  for (const auto& tensor : tensors) {
    auto bad = [&](const auto&... args) {
      fail(path.string(), ": tensor ", tensor.name, ": ", args...);
    };
    if (tensor.name == kMetadataKey) bad("name is reserved for the metadata");
    if (!names.insert(tensor.name).second) bad("duplicate name");
    uint64_t numel = 1;
    for (int64_t dim : tensor.view.shape) {
      if (dim < 0 || __builtin_mul_overflow(numel, static_cast<uint64_t>(dim), &numel)) {
        bad("invalid shape ", format_shape(tensor.view.shape));
      }
    }
    uint64_t bytes;
    if (__builtin_mul_overflow(numel, dtype_size(tensor.view.dtype), &bytes) ||
        bytes != tensor.view.bytes.size()) {
      bad(tensor.view.bytes.size(), " bytes for shape ", format_shape(tensor.view.shape), " of ",
          dtype_name(tensor.view.dtype));
    }
    order.push_back(&tensor);
  }
  std::sort(order.begin(), order.end(), [](const NamedTensor* a, const NamedTensor* b) {
    int rank_a = reference_rank(a->view.dtype), rank_b = reference_rank(b->view.dtype);
    return rank_a != rank_b ? rank_a > rank_b : a->name < b->name;
  });

  std::string header = "{";
  if (!metadata.empty()) {
    header += cat("\"", kMetadataKey, "\":{");
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
      if (it != metadata.begin()) header += ",";
      header += cat(json_string(path, it->first), ":", json_string(path, it->second));
    }
    header += "}";
  }
  uint64_t offset = 0;
  for (const NamedTensor* tensor : order) {
    std::string shape;
    for (int64_t dim : tensor->view.shape) shape += cat(shape.empty() ? "" : ",", dim);
    uint64_t end = offset + tensor->view.bytes.size();
    header += cat(header.size() > 1 ? "," : "", json_string(path, tensor->name), ":{\"dtype\":\"",
                  dtype_name(tensor->view.dtype), "\",\"shape\":[", shape, "],\"data_offsets\":[",
                  offset, ",", end, "]}");
    offset = end;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  if (header.size() > kMaxSafetensorsHeader) {
    fail(path.string(), ": safetensors header of ", header.size(), " bytes is over the limit");
  }

  write_file_atomically(path, [&](std::ostream& out) {
    uint64_t header_size = header.size();
    char size_bytes[8];
    std::memcpy(size_bytes, &header_size, 8);
    out.write(size_bytes, 8);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (const NamedTensor* tensor : order) {
      out.write(reinterpret_cast<const char*>(tensor->view.bytes.data()),
                static_cast<std::streamsize>(tensor->view.bytes.size()));
    }
  });
}

}  // namespace greenbert
