#pragma once
// A structure-aware mutator for the targets that read JSON, built only for libFuzzer. It parses
// the input and changes one node the way a hostile or careless file would: a field the reader
// looks at (from the target's list of keys) added, renamed or removed; a value replaced by an
// extreme number (2^32 + 5, -1, 1e308, 1e999...), the wrong type, a long string; a node nested
// past the depth limit or repeated. Inputs that are not JSON, and a share of the others, get
// libFuzzer's byte mutations, so the parser's own error paths stay covered.
//
// The JSON part of an input starts after `prefix` bytes (a target's mode byte) and ends at the
// first NUL byte (what follows, e.g. a safetensors data region, is kept). When it does not parse
// as a whole, one of its lines is mutated instead (JSON Lines).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace greenbert::fuzz {

size_t mutate_json(uint8_t* data, size_t size, size_t max_size, unsigned seed,
                   std::span<const std::string_view> keys, size_t prefix);

}  // namespace greenbert::fuzz

// Defines libFuzzer's custom mutator for a target: GREENBERT_JSON_MUTATOR(kKeys, 0).
#ifdef GREENBERT_LIBFUZZER
#define GREENBERT_JSON_MUTATOR(keys, prefix)                                             \
  extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, \
                                            unsigned seed) {                             \
    return greenbert::fuzz::mutate_json(data, size, max_size, seed, keys, prefix);       \
  }
#else
#define GREENBERT_JSON_MUTATOR(keys, prefix)
#endif
