#pragma once
// The sequences self-supervised pre-training reads. Every text is tokenized whole, exactly as
// fine-tuning encodes it (data/encode_example.h: the abstract, or title and abstract as a pair
// with token types), and then cut into windows of at most max_length tokens, so that no text is
// lost to truncation:
//
//   [CLS] title [SEP] abstract ... [SEP]            the whole text, when it fits (what the
//                                                   classifier will see, token for token)
//   [CLS] first max_length-2 content tokens [SEP]   otherwise, then
//   [CLS] next max_length-2 content tokens [SEP]    ... (a last window shorter than min_tokens
//                                                   content tokens is dropped)
//
// The content of a text is its encoding without the leading [CLS] and the final [SEP]; windows
// keep the token types of their content ([CLS] 0, the closing [SEP] that of the token before).
//
// A few texts, chosen with the seed, are held out of training: the pre-training loss on them
// tells whether the model still improves (and, unlike the training loss, with the same masks at
// every evaluation).
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "data/batching.h"
#include "data/dataset.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

struct PretrainCorpus {
  EncodedExamples train;    // windows of the training texts (no labels)
  EncodedExamples heldout;  // windows of the held-out texts
  int64_t texts = 0;        // texts read (training + held out)
  int64_t heldout_texts = 0;
};

struct CorpusOptions {
  TextInput text = TextInput::abstract;
  size_t max_length = 128;  // tokens per window, [CLS] and [SEP] included (>= 3)
  size_t min_tokens = 16;   // a text's last window needs this many content tokens
  int64_t heldout = 0;      // texts held out (at most half of them)
  uint64_t seed = 42;       // which ones
};

// `texts`: titles and abstracts (a plain text is an Example with only an abstract).
PretrainCorpus make_pretrain_corpus(const BertTokenizer& tokenizer, std::span<const Example> texts,
                                    const CorpusOptions& options);

// One text per non-blank line of a UTF-8 text file, as Examples with only an abstract. Throws
// greenbert::Error "FILE:LINE: reason" for invalid UTF-8, and for a file without any text.
std::vector<Example> read_text_lines(const std::filesystem::path& path);

}  // namespace greenbert
