#pragma once
// One line of a JSON Lines paper file such as Cornell's arXiv metadata snapshot
// (arxiv-metadata-oai-snapshot.json): an object with the title, the abstract and the
// categories, among other keys that are skipped without building them.
#include <string_view>

#include "data/paper.h"

namespace greenbert {

// Parses `line` (one JSON object) into a paper. `fields` names the keys (all non-empty): the
// title and text must be strings; the terms either a string of codes (Cornell's
// "cs.CV cs.LG", or the Python-list form) or an array of strings. Other keys may hold anything.
// The text is returned as written (not trimmed or otherwise checked); `line` is left 0.
// Throws Error with the reason: invalid JSON, not an object, a missing, repeated or mistyped
// key, unparsable terms.
Paper parse_jsonl_paper(std::string_view line, const PaperFields& fields);

}  // namespace greenbert
