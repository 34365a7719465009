#pragma once
// The one place an example becomes model input, so that `data stats`, training, evaluation and
// prediction all see the same tokens: the abstract alone ([CLS] abstract [SEP]) or the title and
// abstract as a pair ([CLS] title [SEP] abstract [SEP], token types 0/1), truncated to
// max_length the way Hugging Face does (longest_first for pairs).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "data/dataset.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

// `abstract_empty`, when given, is set from the same tokenization to whether the abstract has no
// tokens at all, before truncation (an empty text, or only spaces, invisible or control
// characters); the title does not count.
Encoding encode_example(const BertTokenizer& tokenizer, const Example& example, TextInput text,
                        size_t max_length, bool* abstract_empty = nullptr);

// Untruncated length in tokens (special tokens included) of every example, in parallel.
std::vector<int64_t> token_lengths(const BertTokenizer& tokenizer,
                                   std::span<const Example> examples, TextInput text);

}  // namespace greenbert
