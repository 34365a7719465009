#pragma once
// What every fuzz target checks, and the small model the model-reading targets read against.
//
// A reader must return or refuse with a greenbert::Error (a clear message for the user). Any
// other exception, a crash, a sanitizer report, a hang or memory beyond libFuzzer's
// -rss_limit_mb is a finding; under the replay driver (replay_main.cpp) an escaping exception
// fails the test. A violated property throws std::logic_error, which is such an exception.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/config.h"
#include "tiny_bert_config.h"

namespace greenbert::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline void require(bool holds, const char* property) {
  if (!holds) throw std::logic_error(property);
}

// Runs `read`; a greenbert::Error is a clean refusal. Returns whether it succeeded.
template <typename Read>
bool read_or_refuse(Read&& read) {
  try {
    read();
    return true;
  } catch (const Error&) {
    return false;
  }
}

// tests/tiny_bert_config.h's model with 1 layer, a 16-wide feed-forward, 8 positions and labels
// "a" and "b" (fuzz/seeds holds files of it: make_seeds.cpp).
inline BertConfig tiny_config() {
  BertConfig c = testing::tiny_bert_config();
  c.num_layers = 1;
  c.intermediate_size = 16;
  c.max_position_embeddings = 8;
  c.labels = {"a", "b"};
  return c;
}

// A WordPiece vocabulary of tiny_config's 16 tokens, specials first as greenbert writes them.
inline std::vector<std::string> tiny_vocab() {
  return {"[PAD]",  "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "model", "##s",
          "energy", "##y",   "a",     "b",     ",",      ".",   "é",     "##ing"};
}

// A text that exercises the tokenizer: special tokens, punctuation, accents, CJK, spaces that
// are not ASCII.
inline constexpr std::string_view kSampleText =
    "The models' energy, [SEP] measuring\u3000\u200b caf\u00e9 \u4e2d\u6587 [MASK]s...";

}  // namespace greenbert::fuzz
