#pragma once
// The category codes ("terms") of a paper as data files write them: the Python-literal list of
// the Kaggle file ("['cs.CV', 'cs.LG']": single or double quotes, backslash escapes, possibly
// empty) or plain codes separated by spaces or commas ("cs.CV cs.LG" as in Cornell's
// snapshot, "cs.CV,cs.LG").
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace greenbert {

// The terms in `text`, in their written order (duplicates kept). Throws Error with the reason
// (no file or line: the caller knows those).
std::vector<std::string> parse_terms(std::string_view text);

// A term must be non-empty valid UTF-8, free of whitespace, control characters, quotes, brackets,
// commas and backslashes, so that it reads back the same from either written form. Throws
// Error with the reason.
void check_term(std::string_view term);

// "['cs.CV', 'cs.LG']": the Kaggle form, which parse_terms reads back unchanged.
std::string format_terms(std::span<const std::string> terms);

}  // namespace greenbert
