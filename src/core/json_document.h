#pragma once
// Every JSON document greenbert reads from a file or a user goes through here.
//
// nlohmann parses any nesting depth without recursion, but copying, comparing and dump() of the
// result recurse: a document nested ~10^6 levels deep (a few MB) crashed every command that
// touched it, far from the parser. Nesting deeper than kMaxJsonDepth is refused while parsing,
// before anything is built; no file greenbert reads or writes nests more than a few levels.
// Error messages never quote more than a short excerpt of the input.
#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

namespace greenbert {

inline constexpr int kMaxJsonDepth = 64;

// `text` parsed. Throws greenbert::Error "<what>: not valid JSON at byte N: ..." or
// "<what>: JSON nested deeper than 64 levels". `also`, when given, sees every event first (as
// nlohmann's parser callback; returning false discards the value).
nlohmann::json parse_json(std::string_view text, std::string_view what,
                          const nlohmann::json::parser_callback_t& also = nullptr);
nlohmann::ordered_json parse_ordered_json(
    std::string_view text, std::string_view what,
    const nlohmann::ordered_json::parser_callback_t& also = nullptr);

// The file at `path` read and parsed as above, `what` being the path.
nlohmann::json read_json_file(const std::filesystem::path& path);
nlohmann::ordered_json read_ordered_json_file(const std::filesystem::path& path);

}  // namespace greenbert
