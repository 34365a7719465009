// Untrusted JSON: nesting is bounded while parsing, and messages quote only a short excerpt.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/json_document.h"

namespace greenbert {
namespace {

std::string nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

std::string error_of(const std::string& text) {
  try {
    parse_json(text, "doc.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(JsonDocument, AcceptsNestingUpToTheBound) {
  EXPECT_NO_THROW(parse_json(nested(kMaxJsonDepth), "doc.json"));
  EXPECT_NO_THROW(parse_ordered_json(nested(kMaxJsonDepth), "doc.json"));
}

TEST(JsonDocument, RefusesDeeperNestingWithoutOverflowingTheStack) {
  EXPECT_EQ(error_of(nested(kMaxJsonDepth + 1)), "doc.json: JSON nested deeper than 64 levels");
  // A million levels (what crashed every command that dumped or copied such a value).
  EXPECT_EQ(error_of(nested(1'000'000)), "doc.json: JSON nested deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 100'000; ++i) objects += "{\"a\":";
  EXPECT_EQ(error_of(objects), "doc.json: JSON nested deeper than 64 levels");
}

TEST(JsonDocument, SyntaxErrorsNameTheByteAndQuoteLittle) {
  const std::string message = error_of("{\"a\": " + std::string(1'000'000, 'x'));
  EXPECT_EQ(message.rfind("doc.json: not valid JSON at byte ", 0), 0u) << message;
  EXPECT_LT(message.size(), 300u);
}

// Found by fuzz_config_json: nlohmann reports these as out_of_range, not as parse errors, and
// they escaped as "internal error".
TEST(JsonDocument, NumbersBeyondDoubleAreErrors) {
  EXPECT_EQ(error_of("{\"dim\": -1e999}").rfind("doc.json: not valid JSON: ", 0), 0u);
  const std::string message = error_of("[1" + std::string(100'000, '0') + "]");
  EXPECT_EQ(message.rfind("doc.json: not valid JSON: ", 0), 0u) << message;
  EXPECT_LT(message.size(), 300u);
}

TEST(JsonDocument, CallbackSeesEveryEvent) {
  int keys = 0;
  parse_json(R"({"a": 1, "b": {"c": 2}})", "doc.json",
             [&keys](int, nlohmann::json::parse_event_t event, nlohmann::json&) {
               keys += event == nlohmann::json::parse_event_t::key;
               return true;
             });
  EXPECT_EQ(keys, 3);
}

}  // namespace
}  // namespace greenbert
