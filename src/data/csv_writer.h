#pragma once
// Writing CSV the way csv_reader.h reads it (RFC 4180).
#include <string>
#include <string_view>

namespace greenbert {

// Appends `field` to `out`, quoted (quotes doubled) when it holds a comma, quote, CR or LF.
void append_csv_field(std::string& out, std::string_view field);

}  // namespace greenbert
