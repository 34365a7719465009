#pragma once
// Trains a WordPiece vocabulary for models trained from scratch, the way Hugging Face's
// WordPieceTrainer (a BPE trainer with "##" continuation) does: count the basic-tokenized
// words, start from their characters, and repeatedly add the merge of the most frequent
// adjacent pair of pieces. Deterministic: ties break on the smaller pair of ids, ids are
// assigned in a fixed order.
//
// Layout: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, the layout of HF's BertWordPieceTokenizer
// trainer (and of the tiny random BERT fixture); BERT's own layout spends 100 rows of the
// embedding on [unusedN] slots, wasteful for small vocabularies. Everything reads these ids
// by name anyway. Then every character of the alphabet twice, "c" and "##c", so that any word
// made of alphabet characters tokenizes without [UNK] (HF adds "##c" only when seen), then
// the merges in the order they were learned.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "text/basic_tokenizer.h"

namespace greenbert {

struct VocabTrainerOptions {
  NormalizerOptions normalizer;  // must match the tokenizer that will use the vocabulary
  int64_t min_frequency = 2;     // a pair seen fewer times is never merged (HF's default)
  size_t max_alphabet = 1000;    // keep the most frequent characters (HF's limit_alphabet)
};

// Words with a character outside the kept alphabet, or longer than WordPiece's 100-character
// limit, become [UNK] whatever the vocabulary, so they take no part in the merges.
// Throws greenbert::Error if `size` cannot hold the special tokens and the alphabet.
std::vector<std::string> train_wordpiece_vocab(std::span<const std::string> texts, size_t size,
                                               const VocabTrainerOptions& options = {});

// vocab.txt, written atomically: one token per line.
void write_vocab(const std::filesystem::path& path, std::span<const std::string> tokens);

// tokenizer_config.json (HF keys do_lower_case, strip_accents, tokenize_chinese_chars), so that
// BertTokenizer::from_file and HF's AutoTokenizer normalize as the vocabulary was trained.
void write_tokenizer_config(const std::filesystem::path& path, const NormalizerOptions& options);

}  // namespace greenbert
