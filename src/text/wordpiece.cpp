#include "text/wordpiece.h"

#include <algorithm>

namespace greenbert {

namespace {

bool is_utf8_continuation(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

size_t count_chars(std::string_view word) {
  return static_cast<size_t>(
      std::count_if(word.begin(), word.end(), [](char b) { return !is_utf8_continuation(b); }));
}

}  // namespace

void wordpiece(std::string_view word, const Vocab& vocab, int32_t unk_id,
               std::vector<int32_t>& ids) {
  // Bytes >= chars, so only long words need counting.
  if (word.size() > kMaxInputCharsPerWord && count_chars(word) > kMaxInputCharsPerWord) {
    ids.push_back(unk_id);
    return;
  }
  const size_t first_piece = ids.size();
  size_t start = 0;
  while (start < word.size()) {
    const bool continuation = start > 0;
    // HF tries every end from the word's end down; ends past the longest vocabulary piece
    // cannot match, so the search starts there (moved back to a character boundary).
    size_t end = std::min(word.size(), start + vocab.max_piece_bytes(continuation));
    while (end < word.size() && is_utf8_continuation(word[end])) --end;
    int32_t id = -1;
    while (end > start) {
      id = vocab.piece_id(word.substr(start, end - start), continuation);
      if (id >= 0) break;
      do --end;
      while (end > start && is_utf8_continuation(word[end]));
    }
    if (id < 0) {
      ids.resize(first_piece);
      ids.push_back(unk_id);
      return;
    }
    ids.push_back(id);
    start = end;
  }
}

}  // namespace greenbert
