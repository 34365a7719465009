#include "core/json_document.h"

#include <string>

#include "core/atomic_file.h"
#include "core/error.h"

namespace greenbert {

namespace {

// nlohmann's messages quote the token being read, which may be the whole of a long string.
std::string excerpt(std::string_view message) {
  constexpr size_t kMost = 200;
  if (message.size() <= kMost) return std::string(message);
  return std::string(message.substr(0, kMost)) + "...";
}

template <typename Json>
Json parse_bounded(std::string_view text, std::string_view what,
                   const typename Json::parser_callback_t& also) {
  const typename Json::parser_callback_t bounded =
      [&](int depth, typename Json::parse_event_t event, Json& parsed) {
        // `depth` counts the containers already open around this one.
        const bool opens =
            event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
        if (opens && depth >= kMaxJsonDepth)
          fail(what, ": JSON nested deeper than ", kMaxJsonDepth, " levels");
        return also ? also(depth, event, parsed) : true;
      };
  try {
    return Json::parse(text.begin(), text.end(), bounded);
  } catch (const typename Json::parse_error& e) {
    fail(what, ": not valid JSON at byte ", e.byte, ": ", excerpt(e.what()));
  } catch (const typename Json::out_of_range& e) {
    // A number beyond double's range (1e999) is not a parse_error to nlohmann.
    fail(what, ": not valid JSON: ", excerpt(e.what()));
  }
}

}  // namespace

nlohmann::json parse_json(std::string_view text, std::string_view what,
                          const nlohmann::json::parser_callback_t& also) {
  return parse_bounded<nlohmann::json>(text, what, also);
}

nlohmann::ordered_json parse_ordered_json(std::string_view text, std::string_view what,
                                          const nlohmann::ordered_json::parser_callback_t& also) {
  return parse_bounded<nlohmann::ordered_json>(text, what, also);
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json(read_file(path), path.string());
}

nlohmann::ordered_json read_ordered_json_file(const std::filesystem::path& path) {
  return parse_ordered_json(read_file(path), path.string());
}

}  // namespace greenbert
