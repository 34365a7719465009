#pragma once
// The BERT tokenizer as Hugging Face's fast BertTokenizerFast runs it: special tokens written
// literally in the text, basic tokenization (text/basic_tokenizer.h), WordPiece
// (text/wordpiece.h), then the [CLS] A [SEP] (B [SEP]) template with truncation and padding.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text/basic_tokenizer.h"
#include "text/vocab.h"

namespace greenbert {

// Unset fields come from tokenizer_config.json beside vocab.txt when present, else from HF's
// defaults: lowercase true, strip_accents = lowercase, split_cjk true.
struct TokenizerOptions {
  std::optional<bool> lowercase;      // do_lower_case
  std::optional<bool> strip_accents;  // strip_accents
  std::optional<bool> split_cjk;      // tokenize_chinese_chars
};

// Model inputs of one sequence, all of the same length.
struct Encoding {
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;  // 0 for [CLS] A [SEP], 1 for B [SEP]
  std::vector<int32_t> attention_mask;  // 1 for tokens, 0 for padding
};

enum class Padding {
  none,        // every encoding keeps its own length
  longest,     // pad to the longest encoding of the batch
  max_length,  // pad to max_length
};

// Right-pads with [PAD] (token type 0, attention 0) up to `length`; longer encodings are kept.
void pad_encoding(Encoding& encoding, size_t length, int32_t pad_id);

class BertTokenizer {
 public:
  // Needs [UNK], [CLS], [SEP] and [PAD] in the vocabulary.
  BertTokenizer(Vocab vocab, const NormalizerOptions& options);
  // Loads vocab.txt and, when it exists, tokenizer_config.json from the same directory.
  static BertTokenizer from_file(const std::filesystem::path& vocab_txt,
                                 const TokenizerOptions& options = {});

  const Vocab& vocab() const { return vocab_; }
  const NormalizerOptions& options() const { return options_; }

  // Appends the ids of `text` without [CLS]/[SEP]. Special tokens written in the text
  // ("[SEP]", "[MASK]", ... exactly, case-sensitive) map to their ids, as in HF where they are
  // added tokens matched before normalization. Allocation-free once the calling thread's
  // buffers have grown.
  void tokenize(std::string_view text, std::vector<int32_t>& ids) const;

  // [CLS] text [SEP], truncated to at most max_length ids (>= 2).
  Encoding encode(std::string_view text, size_t max_length) const;
  // [CLS] a [SEP] b [SEP] truncated to at most max_length ids (>= 3) with HF's longest_first
  // rule: the shorter side keeps its length if the longer one can absorb the cut, otherwise
  // both get half of the budget and the longer one the odd id.
  Encoding encode_pair(std::string_view a, std::string_view b, size_t max_length) const;
  // encode() and encode_pair() of text already tokenized (tokenize()'s ids), for a caller that
  // looks at the tokens too.
  Encoding encode_ids(std::span<const int32_t> ids, size_t max_length) const;
  Encoding encode_pair_ids(std::span<const int32_t> a, std::span<const int32_t> b,
                           size_t max_length) const;
  // encode() of every text, in parallel over texts (OpenMP), then padded.
  std::vector<Encoding> encode_batch(std::span<const std::string> texts, size_t max_length,
                                     Padding padding) const;

  // For debugging: token strings, and text as HF's decode() writes it (pieces joined, "##"
  // glued, HF's clean-up of spaces before punctuation; special tokens dropped if asked).
  std::vector<std::string> tokens(std::span<const int32_t> ids) const;
  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens) const;

 private:
  void tokenize_segment(std::string_view text, std::vector<int32_t>& ids) const;
  bool is_special(int32_t id) const;

  struct SpecialToken {
    std::string text;
    int32_t id;
  };

  Vocab vocab_;
  NormalizerOptions options_;
  int32_t unk_id_, cls_id_, sep_id_, pad_id_;
  std::vector<SpecialToken> specials_;  // the special tokens this vocabulary has
};

}  // namespace greenbert
