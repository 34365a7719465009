#pragma once
// The BERT "basic tokenizer": Hugging Face's BertNormalizer (cleanup, spaces around CJK
// ideographs, NFD + accent stripping, lowercase) followed by BertPreTokenizer (split on
// whitespace, isolate punctuation), in one pass over UTF-8 text. Character rules and the
// differences from the slow Python tokenizer are in text/unicode_rules.h.
//
// Bytes that are not valid UTF-8 decode to U+FFFD, which cleanup removes, so bad input never
// stops tokenization (Rust would not accept such a string at all).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace greenbert {

struct NormalizerOptions {
  bool lowercase = true;
  bool strip_accents = true;  // HF's default: follows lowercase
  bool split_cjk = true;      // tokenize_chinese_chars
};

// Words as one flat buffer: word i is chars[ends[i-1], ends[i]) (ends[-1] = 0). Reused across
// calls so that steady-state tokenization does not allocate.
struct WordList {
  std::string chars;
  std::vector<uint32_t> ends;
  std::vector<char32_t> pending;  // scratch: decomposed non-ASCII code points awaiting flush

  size_t size() const { return ends.size(); }
  std::string_view operator[](size_t i) const {
    size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(chars).substr(begin, ends[i] - begin);
  }
  void clear() {
    chars.clear();
    ends.clear();
    pending.clear();
  }
};

// Appends the normalized words of `text` to `words`.
void basic_tokenize(std::string_view text, const NormalizerOptions& options, WordList& words);

}  // namespace greenbert
