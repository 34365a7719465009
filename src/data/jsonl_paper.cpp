#include "data/jsonl_paper.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/terms.h"

namespace greenbert {
namespace {

// Receives the parser's events and keeps only the three wanted top-level values, so the other
// keys (authors, versions, ...) cost a scan but no allocation of a document tree.
class PaperSax {
 public:
  using json = nlohmann::json;

  PaperSax(const PaperFields& fields, Paper& paper) : fields_(fields), paper_(paper) {}

  const std::string& error() const { return error_; }
  // Called after a successful parse: every wanted key must have been there.
  bool complete() {
    if (!seen_[kTitle]) return refuse(cat("missing key '", fields_.title, "'"));
    if (!seen_[kText]) return refuse(cat("missing key '", fields_.text, "'"));
    if (!seen_[kTerms]) return refuse(cat("missing key '", fields_.terms, "'"));
    return true;
  }

  bool null() { return scalar("null"); }
  bool boolean(bool) { return scalar("a boolean"); }
  bool number_integer(json::number_integer_t) { return scalar("a number"); }
  bool number_unsigned(json::number_unsigned_t) { return scalar("a number"); }
  bool number_float(json::number_float_t, const std::string&) { return scalar("a number"); }
  bool binary(json::binary_t&) { return scalar("binary data"); }

  bool string(std::string& value) {
    if (depth_ == 2 && in_terms_array_) {
      try {
        check_term(value);
      } catch (const Error& e) {
        return refuse(cat("key '", fields_.terms, "': ", e.what()));
      }
      paper_.terms.push_back(value);
      return true;
    }
    if (depth_ != 1 || current_ == kOther) return depth_ > 0 || refuse("not a JSON object");
    if (current_ == kTitle) paper_.title = value;
    if (current_ == kText) paper_.abstract = value;
    if (current_ == kTerms) {
      try {
        paper_.terms = parse_terms(value);
      } catch (const Error& e) {
        return refuse(cat("key '", fields_.terms, "': ", e.what()));
      }
    }
    return true;
  }

  bool start_object(std::size_t) {
    if (!nested("an object")) return false;
    ++depth_;
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ == 1 && current_ == kTerms) {
      in_terms_array_ = true;
    } else if (!nested("an array")) {
      return false;
    }
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    if (depth_ == 1) in_terms_array_ = false;
    return true;
  }

  bool key(std::string& key) {
    if (depth_ != 1) return true;
    current_ = key == fields_.title   ? kTitle
               : key == fields_.text  ? kText
               : key == fields_.terms ? kTerms
                                      : kOther;
    if (current_ == kOther) return true;
    if (seen_[current_]) return refuse(cat("key '", key, "' appears twice"));
    seen_[current_] = true;
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error ..."
    std::string_view what = e.what();
    auto column = what.find("column ");
    return refuse(cat("invalid JSON", column == std::string_view::npos ? ": " : " at ",
                      column == std::string_view::npos ? what : what.substr(column)));
  }

 private:
  enum Slot { kTitle, kText, kTerms, kOther };

  bool refuse(std::string error) {
    if (error_.empty()) error_ = std::move(error);
    return false;
  }
  // A non-string value where a wanted string is expected is an error; elsewhere values are
  // skipped.
  bool scalar(const char* what) {
    if (depth_ == 0) return refuse("not a JSON object");
    if (depth_ == 2 && in_terms_array_) {
      return refuse(cat("key '", fields_.terms, "' holds ", what, " in its array"));
    }
    if (depth_ == 1 && current_ != kOther) return refuse(mistyped(what));
    return true;
  }
  bool nested(const char* what) {
    if (depth_ == 0) return what == std::string_view("an object") || refuse("not a JSON object");
    if (depth_ == 2 && in_terms_array_) {
      return refuse(cat("key '", fields_.terms, "' holds ", what, " in its array"));
    }
    if (depth_ == 1 && current_ != kOther) return refuse(mistyped(what));
    return true;
  }
  std::string mistyped(const char* what) const {
    const std::string& key = current_ == kTitle  ? fields_.title
                             : current_ == kText ? fields_.text
                                                 : fields_.terms;
    return cat("key '", key, "' holds ", what,
               current_ == kTerms ? ", not a string or an array of strings" : ", not a string");
  }

  const PaperFields& fields_;
  Paper& paper_;
  int depth_ = 0;
  Slot current_ = kOther;
  bool seen_[3] = {false, false, false};
  bool in_terms_array_ = false;
  std::string error_;
};

}  // namespace

Paper parse_jsonl_paper(std::string_view line, const PaperFields& fields) {
  Paper paper;
  PaperSax sax(fields, paper);
  if (!nlohmann::json::sax_parse(line.begin(), line.end(), &sax) || !sax.complete()) {
    fail(sax.error());
  }
  return paper;
}

}  // namespace greenbert
