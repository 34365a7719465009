#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "data/terms.h"

namespace greenbert {
namespace {

using Terms = std::vector<std::string>;

// The reason parse_terms gives for `text`, or "" when it parses.
std::string reason(const std::string& text) {
  try {
    parse_terms(text);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(Terms, ReadsThePythonListForm) {
  EXPECT_EQ(parse_terms("['cs.CV', 'cs.LG']"), (Terms{"cs.CV", "cs.LG"}));
  EXPECT_EQ(parse_terms("[\"cs.CV\",\"stat.ML\"]"), (Terms{"cs.CV", "stat.ML"}));
  EXPECT_EQ(parse_terms("  [ 'a' , \"b\" , ]  "), (Terms{"a", "b"}));
  EXPECT_EQ(parse_terms("['cond-mat.mtrl-sci']"), (Terms{"cond-mat.mtrl-sci"}));
  EXPECT_EQ(parse_terms("['cs.CV', 'cs.CV']"), (Terms{"cs.CV", "cs.CV"})) << "duplicates are kept";
}

TEST(Terms, EmptyListAndEmptyTextGiveNoTerms) {
  EXPECT_TRUE(parse_terms("[]").empty());
  EXPECT_TRUE(parse_terms(" [ ] ").empty());
  EXPECT_TRUE(parse_terms("").empty());
  EXPECT_TRUE(parse_terms("   ").empty());
}

TEST(Terms, DecodesBackslashEscapes) {
  EXPECT_EQ(parse_terms(R"(['\x63s.CV', "\u00e9t\u00E9", '\U0001F600'])"),
            (Terms{"cs.CV", "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x98\x80"}));
  // Quote and backslash escapes decode, and then the term is refused for holding them.
  EXPECT_EQ(reason(R"(['it\'s'])"), R"(terms "['it\'s']": term "it's" contains ''')");
  EXPECT_EQ(reason(R"(["a\"b"])"), R"(terms "["a\"b"]": term "a"b" contains '"')");
  EXPECT_EQ(reason(R"(['a\\b'])"), R"(terms "['a\\b']": term "a\b" contains '\')");
}

TEST(Terms, RefusesEscapesItCannotDecode) {
  EXPECT_EQ(reason(R"(['\q'])"), R"(terms "['\q']": unsupported escape '\q' at character 4)");
  EXPECT_EQ(reason(R"(['\x4'])"), R"(terms "['\x4']": escape needs 2 hex digits at character 6)");
  EXPECT_EQ(reason(R"(['\ud800'])"),
            R"(terms "['\ud800']": escape is not a Unicode scalar value at character 9)");
  EXPECT_EQ(reason(R"(['\U00110000'])"),
            R"(terms "['\U00110000']": escape is not a Unicode scalar value at character 13)");
  EXPECT_EQ(reason("['a\\"), "terms \"['a\\\": unterminated string at the end");
}

TEST(Terms, ReadsPlainCodesSeparatedBySpacesOrCommas) {
  EXPECT_EQ(parse_terms("cs.CV cs.LG"), (Terms{"cs.CV", "cs.LG"}));
  EXPECT_EQ(parse_terms("cs.CV,cs.LG"), (Terms{"cs.CV", "cs.LG"}));
  EXPECT_EQ(parse_terms(" cs.CV ,  cs.LG\tmath.ST\n"), (Terms{"cs.CV", "cs.LG", "math.ST"}));
  EXPECT_EQ(parse_terms("hep-th"), (Terms{"hep-th"}));
}

TEST(Terms, UnparsableTextSaysWhyAndWhere) {
  EXPECT_EQ(reason("['cs.CV' 'cs.LG']"),
            "terms \"['cs.CV' 'cs.LG']\": expected ',' or ']' at character 10");
  EXPECT_EQ(reason("['cs.CV'"), "terms \"['cs.CV'\": expected ',' or ']' at the end");
  EXPECT_EQ(reason("['cs.CV]"), "terms \"['cs.CV]\": unterminated string at the end");
  EXPECT_EQ(reason("['a'] x"), "terms \"['a'] x\": unexpected text after ']' at character 7");
  EXPECT_EQ(reason("[cs.CV]"), "terms \"[cs.CV]\": expected a quoted term at character 2");
  EXPECT_EQ(reason("[['a']]"), "terms \"[['a']]\": expected a quoted term at character 2");
  EXPECT_EQ(reason("['a',,'b']"), "terms \"['a',,'b']\": expected a quoted term at character 6");
  EXPECT_EQ(reason("['a\nb']"), "terms \"['a\nb']\": unterminated string at character 4");
  EXPECT_EQ(reason("['']"), "terms \"['']\": empty term");
  EXPECT_EQ(reason("['a b']"),
            "terms \"['a b']\": term \"a b\" contains whitespace or a control character");
  EXPECT_EQ(reason("['a]b']"), "terms \"['a]b']\": term \"a]b\" contains ']'");
  EXPECT_EQ(reason("cs.CV,,cs.LG"), "terms \"cs.CV,,cs.LG\": empty term at character 7");
  EXPECT_EQ(reason("cs.CV,"), "terms \"cs.CV,\": empty term after the last ','");
  EXPECT_EQ(reason("cs.CV 'cs.LG'"), "terms \"cs.CV 'cs.LG'\": term \"'cs.LG'\" contains '''");
  EXPECT_EQ(reason("cs.CV]"), "terms \"cs.CV]\": term \"cs.CV]\" contains ']'");
}

TEST(Terms, LongTextIsCutInMessagesOnACharacterBoundary) {
  std::string text = "[" + std::string(78, 'x') + "\xC3\xA9" + std::string(40, 'y') + "]";
  std::string message = reason(text);
  EXPECT_NE(message.find(std::string(78, 'x') + "...\""), std::string::npos) << message;
}

TEST(Terms, FormatReadsBackUnchanged) {
  for (const Terms& terms : {Terms{}, Terms{"cs.CV"}, Terms{"cs.CV", "cs.LG", "q-bio.NC"}}) {
    EXPECT_EQ(parse_terms(format_terms(terms)), terms);
  }
  EXPECT_EQ(format_terms(Terms{"cs.CV", "cs.LG"}), "['cs.CV', 'cs.LG']");
}

TEST(Terms, CheckTermRefusesWhatEitherFormCouldNotCarry) {
  EXPECT_NO_THROW(check_term("physics.comp-ph"));
  EXPECT_NO_THROW(check_term("\xC3\xA9t\xC3\xA9"));
  for (std::string bad : {"", "a b", "a\tb", "a\x01", "a\x7F", "a'b", "a\"b", "a[b", "a]b", "a,b",
                          "a\\b", "\xC3", "\xFF\xFE"}) {
    EXPECT_THROW(check_term(bad), Error) << testing::PrintToString(bad);
  }
}

}  // namespace
}  // namespace greenbert
