#pragma once
// Typed reads of fields of untrusted JSON documents (parsed by core/json_document.h), with
// messages that name the file and the field: integers are range-checked against the type they
// are stored in (a pad_token_id of 2^32 must not become 0), and every greenbert file's
// {"format": NAME, "version": N} header is checked the same way.
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace greenbert {

// `value` as a T: a JSON integer, or a number with an integral value (HF configs sometimes write
// 768.0), within T's range. `what` names it ("config.json: 'pad_token_id'"); the errors say
// "WHAT must be an integer, got X" and "WHAT is X, outside MIN..MAX".
template <std::integral T, typename Json>
T json_integer(const Json& value, std::string_view what) {
  auto outside = [&](const auto& v) {
    fail(what, " is ", v, ", outside ", +std::numeric_limits<T>::min(), "..",
         +std::numeric_limits<T>::max());
  };
  if (value.is_number_unsigned()) {
    const uint64_t u = value.template get<uint64_t>();
    if (!std::in_range<T>(u)) outside(u);
    return static_cast<T>(u);
  }
  if (value.is_number_integer()) {
    const int64_t i = value.template get<int64_t>();
    if (!std::in_range<T>(i)) outside(i);
    return static_cast<T>(i);
  }
  if (value.is_number_float()) {
    const double d = value.template get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) fail(what, " must be an integer, got ", d);
    // Doubles beyond ±2^63 cannot be converted without undefined behaviour.
    if (d < -9.2e18 || d > 9.2e18 || !std::in_range<T>(static_cast<int64_t>(d))) outside(d);
    return static_cast<T>(static_cast<int64_t>(d));
  }
  // Scalars are short; a structure is named by its type, never printed.
  fail(what, " must be an integer, got ",
       value.is_structured() ? std::string(value.type_name()) : value.dump());
}

// Checks the header of a greenbert JSON file, {"format": `format`, "version": N, ...}, and
// returns N, which must be in [1, newest]. Throws "WHAT: not a FORMAT file" or
// "WHAT: FORMAT version N is not supported (this greenbert reads 1..newest)".
template <typename Json>
int check_json_format(const Json& document, std::string_view format, int newest,
                      std::string_view what) {
  if (!document.is_object() || !document.contains("format") || !document["format"].is_string() ||
      document["format"].template get<std::string>() != format)
    fail(what, ": not a ", format, " file (its \"format\" must be \"", format, "\")");
  if (!document.contains("version")) fail(what, ": ", format, " file without a \"version\"");
  const int version = json_integer<int>(document["version"], cat(what, ": version"));
  if (version < 1 || version > newest)
    fail(what, ": ", format, " version ", version, " is not supported (this greenbert reads ",
         newest == 1 ? "version 1" : cat("versions 1 to ", newest), ")");
  return version;
}

}  // namespace greenbert
