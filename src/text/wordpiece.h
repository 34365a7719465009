#pragma once
// WordPiece as Hugging Face applies it to one basic-tokenized word: greedy longest-match-first
// from the left, "##" on every piece after the first, and a single [UNK] for the whole word
// when some position has no match or the word is longer than max_input_chars_per_word.
#include <cstdint>
#include <string_view>
#include <vector>

#include "text/vocab.h"

namespace greenbert {

constexpr int kMaxInputCharsPerWord = 100;

// Appends the ids of `word` (valid UTF-8, non-empty) to `ids`.
void wordpiece(std::string_view word, const Vocab& vocab, int32_t unk_id,
               std::vector<int32_t>& ids);

}  // namespace greenbert
