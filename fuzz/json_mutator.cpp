#include "json_mutator.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/json_document.h"

// libFuzzer's own byte-level mutation (with its dictionary, when given one).
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace greenbert::fuzz {
namespace {

using Json = nlohmann::ordered_json;
using Random = std::minstd_rand;

// Stands for a node in the dump until raw text (which a Json value cannot hold) replaces it.
constexpr std::string_view kMarker = "\x01greenbert-fuzz\x01";

size_t pick(Random& random, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(random);
}

template <typename T, size_t N>
const T& pick_from(Random& random, const T (&values)[N]) {
  return values[pick(random, N)];
}

// Values that break readers: integers at the limits of the types they are read into (2^32 + 5
// wraps to 5 in 32 bits), doubles past float's range or near zero, strings empty, long, or
// holding a key the reader looks for.
Json extreme_value(Random& random, std::span<const std::string_view> keys) {
  constexpr int64_t kIntegers[] = {0,
                                   1,
                                   -1,
                                   2,
                                   3,
                                   7,
                                   8,
                                   64,
                                   65,
                                   127,
                                   128,
                                   255,
                                   256,
                                   512,
                                   65535,
                                   65536,
                                   std::numeric_limits<int32_t>::max(),
                                   int64_t{std::numeric_limits<int32_t>::max()} + 1,
                                   int64_t{std::numeric_limits<int32_t>::min()} - 1,
                                   int64_t{1} << 32,
                                   (int64_t{1} << 32) + 5,
                                   int64_t{1} << 53,
                                   std::numeric_limits<int64_t>::max(),
                                   std::numeric_limits<int64_t>::min()};
  constexpr double kDoubles[] = {
      -0.0, 0.5, -0.5, 1.5, 1e-300, 1e-45, 3.5e38, 3.5e39, 1e300, -1e308, 1.7976931348623157e308};
  switch (pick(random, 5)) {
    case 0:
      return pick_from(random, kIntegers);
    case 1:
      return pick(random, 4) == 0 ? Json(std::numeric_limits<uint64_t>::max())
                                  : Json(pick_from(random, kDoubles));
    case 2:
      return keys.empty() ? Json("") : Json(std::string(keys[pick(random, keys.size())]));
    case 3: {
      const std::string strings[] = {"",      std::string(1, '\0'),  "\xc3\xa9",
                                     "[SEP]", std::string(200, 'a'), std::string(3000, '#')};
      return pick_from(random, strings);
    }
    default: {
      const Json others[] = {true, false, nullptr, Json::array(), Json::object()};
      return pick_from(random, others);
    }
  }
}

// Text no Json value can be: numbers beyond double or int64, and nesting `depth` levels deep.
std::string raw_text(Random& random, size_t depth) {
  switch (pick(random, 4)) {
    case 0: {
      const char* numbers[] = {"1e999",
                               "-1e999",
                               "1E400",
                               "18446744073709551616",
                               "-9223372036854775809",
                               "1e-400",
                               "123456789012345678901234567890",
                               "-0"};
      return pick_from(random, numbers);
    }
    case 1:
      return std::string(depth, '[') + std::string(depth, ']');
    case 2: {
      std::string text;
      for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
      return text + "1" + std::string(depth, '}');
    }
    default:
      return std::string(depth, '[') + "1" + std::string(depth, ']');
  }
}

std::vector<Json*> nodes_of(Json& root) {
  std::vector<Json*> nodes{&root};
  for (size_t i = 0; i < nodes.size(); ++i) {
    Json& node = *nodes[i];
    if (node.is_structured())
      for (auto& child : node) nodes.push_back(&child);
  }
  return nodes;
}

// `document` with one node changed; empty when the change needs more than `room` bytes.
std::string mutated(Json document, Random& random, std::span<const std::string_view> keys,
                    size_t room) {
  auto key = [&] {
    return keys.empty() ? std::string("a") : std::string(keys[pick(random, keys.size())]);
  };
  const std::vector<Json*> nodes = nodes_of(document);
  Json& node = *nodes[pick(random, nodes.size())];
  const Json other = *nodes[pick(random, nodes.size())];
  switch (pick(random, 9)) {
    case 0:
      node = extreme_value(random, keys);
      break;
    case 1:  // a field the reader looks for, or one more element
      if (node.is_object())
        node[key()] = pick(random, 2) ? extreme_value(random, keys) : other;
      else if (node.is_array())
        node.push_back(pick(random, 2) ? extreme_value(random, keys) : other);
      else
        node = Json::object({{key(), node}});
      break;
    case 2:  // a field or element less
      if (node.is_structured() && !node.empty()) {
        auto at = node.begin();
        std::advance(at, static_cast<ptrdiff_t>(pick(random, node.size())));
        node.erase(at);
      }
      break;
    case 3:  // renamed
      if (node.is_object() && !node.empty()) {
        auto at = node.begin();
        std::advance(at, static_cast<ptrdiff_t>(pick(random, node.size())));
        Json value = *at;
        node.erase(at);
        node[key()] = std::move(value);
      }
      break;
    case 4: {  // one level deeper
      Json inner = std::move(node);
      node = pick(random, 2) ? Json::array({std::move(inner)})
                             : Json::object({{key(), std::move(inner)}});
      break;
    }
    case 5: {  // repeated
      Json copies = Json::array();
      for (size_t i = 1 + pick(random, 32); i > 0; --i) copies.push_back(node);
      node = std::move(copies);
      break;
    }
    case 6:  // the wrong type, same content
      if (node.is_number())
        node = node.dump();
      else if (node.is_string())
        node = node.get<std::string>().size();
      else if (node.is_boolean())
        node = node.get<bool>() ? 1 : 0;
      else
        node = Json::array({node});
      break;
    case 7:
      node = other;
      break;
    default: {  // raw text: too deep, or a number no type holds
      node = kMarker;
      std::string text = document.dump(-1, ' ', false, Json::error_handler_t::replace);
      const std::string marker = Json(kMarker).dump();
      const size_t at = text.find(marker);
      const size_t left = text.size() - marker.size();
      if (at == std::string::npos || left + 8 >= room) return "";
      const size_t depths[] = {kMaxJsonDepth - 1, kMaxJsonDepth, kMaxJsonDepth + 1, 500, 100000};
      // A level costs at most 6 bytes ({"a":...}).
      const size_t depth = std::min(pick_from(random, depths), (room - left) / 6);
      text.replace(at, marker.size(), raw_text(random, depth));
      return text.size() <= room ? text : "";
    }
  }
  std::string text = document.dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.size() <= room ? text : "";
}

bool parses(std::string_view text, Json& json) {
  try {
    json = parse_ordered_json(text, "mutator input");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

size_t mutate_json(uint8_t* data, size_t size, size_t max_size, unsigned seed,
                   std::span<const std::string_view> keys, size_t prefix) {
  Random random(seed);
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t begin = std::min(prefix, size);
  const size_t end = std::min(input.find('\0', begin), size);
  // The part to mutate: [from, to) of the input.
  size_t from = begin, to = end;
  Json json;
  bool found =
      pick(random, 4) != 0 && parses(std::string_view(input).substr(from, to - from), json);
  if (!found && pick(random, 4) != 0) {
    std::vector<std::pair<size_t, size_t>> lines;
    for (size_t at = begin; at < end;) {
      const size_t newline = std::min(input.find('\n', at), end);
      if (newline > at) lines.emplace_back(at, newline);
      at = newline + 1;
    }
    if (!lines.empty()) {
      std::tie(from, to) = lines[pick(random, lines.size())];
      found = parses(std::string_view(input).substr(from, to - from), json);
    }
  }
  if (!found) return LLVMFuzzerMutate(data, size, max_size);
  const size_t kept = size - (to - from);
  if (kept >= max_size) return LLVMFuzzerMutate(data, size, max_size);
  const std::string text = mutated(std::move(json), random, keys, max_size - kept);
  if (text.empty()) return LLVMFuzzerMutate(data, size, max_size);
  const std::string output = input.substr(0, from) + text + input.substr(to);
  std::memcpy(data, output.data(), output.size());
  return output.size();
}

}  // namespace greenbert::fuzz
