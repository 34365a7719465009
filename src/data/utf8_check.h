#pragma once
// Validation of UTF-8 text coming from data files, before anything downstream (normalisation,
// the tokenizer) has to cope with broken bytes.
#include <cstddef>
#include <string_view>

namespace greenbert {

// Offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF, no truncated sequence), or npos when all of
// `text` is valid.
size_t find_invalid_utf8(std::string_view text);

// Unicode code points in valid UTF-8 `text` (what Python's len() counts).
size_t count_code_points(std::string_view text);

}  // namespace greenbert
