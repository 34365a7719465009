#include "data/terms.h"

#include <cstdint>

#include "core/error.h"
#include "data/ascii_space.h"
#include "data/utf8_check.h"

namespace greenbert {
namespace {

// `text` for a message: at most 80 bytes, cut on a character boundary.
std::string excerpt(std::string_view text) {
  constexpr size_t kMax = 80;
  if (text.size() <= kMax) return cat("\"", text, "\"");
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cat("\"", text.substr(0, cut), "...\"");
}

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Reads a Python list literal of string literals, the form pandas writes for a list column.
class PythonListParser {
 public:
  // Parses `text` from `start`, where its '[' is.
  PythonListParser(std::string_view text, size_t start) : text_(text), pos_(start) {}

  std::vector<std::string> parse() {
    std::vector<std::string> terms;
    expect('[');
    skip_spaces();
    while (peek() != ']') {
      terms.push_back(string_literal());
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        skip_spaces();
      } else if (peek() != ']') {
        error("expected ',' or ']'");
      }
    }
    ++pos_;
    skip_spaces();
    if (pos_ != text_.size()) error("unexpected text after ']'");
    return terms;
  }

 private:
  // The current character, or '\0' at the end (a NUL byte in the text is never valid here).
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < text_.size() && is_ascii_space(text_[pos_])) ++pos_;
  }
  void expect(char c) {
    if (peek() != c) error(cat("expected '", c, "'"));
    ++pos_;
  }
  [[noreturn]] void error(const std::string& what) const {
    if (pos_ >= text_.size()) fail("terms ", excerpt(text_), ": ", what, " at the end");
    fail("terms ", excerpt(text_), ": ", what, " at character ", pos_ + 1);
  }

  std::string string_literal() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') error("expected a quoted term");
    ++pos_;
    std::string term;
    for (;;) {
      if (pos_ >= text_.size()) error("unterminated string");
      char c = text_[pos_];
      if (c == quote) break;
      if (c == '\n' || c == '\r') error("unterminated string");
      ++pos_;
      if (c != '\\') {
        term += c;
        continue;
      }
      escape(term);
    }
    ++pos_;
    try {
      check_term(term);
    } catch (const Error& e) {
      fail("terms ", excerpt(text_), ": ", e.what());
    }
    return term;
  }

  // Decodes the escape after a backslash (Python's rules for the escapes a category code
  // could need; others are refused rather than guessed).
  void escape(std::string& term) {
    if (pos_ >= text_.size()) error("unterminated string");
    char c = text_[pos_++];
    switch (c) {
      case '\\':
      case '\'':
      case '"':
        term += c;
        return;
      case 'x':
        return code_point(term, 2);
      case 'u':
        return code_point(term, 4);
      case 'U':
        return code_point(term, 8);
      default:
        --pos_;
        error(cat("unsupported escape '\\", c, "'"));
    }
  }

  void code_point(std::string& term, int digits) {
    uint32_t value = 0;
    for (int i = 0; i < digits; ++i) {
      char c = peek();
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0) error(cat("escape needs ", digits, " hex digits"));
      value = value * 16 + static_cast<uint32_t>(digit);
      ++pos_;
    }
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
      error("escape is not a Unicode scalar value");
    }
    append_utf8(term, value);
  }

  std::string_view text_;
  size_t pos_;
};

std::vector<std::string> parse_plain_terms(std::string_view text) {
  std::vector<std::string> terms;
  size_t pos = 0;
  auto skip_spaces = [&] {
    while (pos < text.size() && is_ascii_space(text[pos])) ++pos;
  };
  skip_spaces();
  while (pos < text.size()) {
    size_t begin = pos;
    while (pos < text.size() && !is_ascii_space(text[pos]) && text[pos] != ',') ++pos;
    std::string_view term = text.substr(begin, pos - begin);
    if (term.empty()) fail("terms ", excerpt(text), ": empty term at character ", pos + 1);
    try {
      check_term(term);
    } catch (const Error& e) {
      fail("terms ", excerpt(text), ": ", e.what());
    }
    terms.emplace_back(term);
    skip_spaces();
    if (pos < text.size() && text[pos] == ',') {
      ++pos;
      skip_spaces();
      if (pos == text.size()) fail("terms ", excerpt(text), ": empty term after the last ','");
    }
  }
  return terms;
}

}  // namespace

void check_term(std::string_view term) {
  if (term.empty()) fail("empty term");
  if (find_invalid_utf8(term) != std::string_view::npos) fail("term is not valid UTF-8");
  for (char c : term) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || is_ascii_space(c)) {
      fail("term ", excerpt(term), " contains whitespace or a control character");
    }
    if (c == '\'' || c == '"' || c == '[' || c == ']' || c == ',' || c == '\\') {
      fail("term ", excerpt(term), " contains '", c, "'");
    }
  }
}

std::vector<std::string> parse_terms(std::string_view text) {
  size_t first = 0;
  while (first < text.size() && is_ascii_space(text[first])) ++first;
  if (first < text.size() && text[first] == '[') {
    return PythonListParser(text, first).parse();
  }
  return parse_plain_terms(text);
}

std::string format_terms(std::span<const std::string> terms) {
  std::string out = "[";
  for (size_t i = 0; i < terms.size(); ++i) {
    out += i ? ", '" : "'";
    out += terms[i];
    out += '\'';
  }
  out += ']';
  return out;
}

}  // namespace greenbert
