// The WordPiece vocabulary trainer: hand-computed merges (frequency order, tie-break,
// "##" handling), layout, determinism, alphabet coverage, and a round trip with no [UNK].
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support.h"
#include "text/bert_tokenizer.h"
#include "text/vocab_trainer.h"

namespace greenbert {
namespace {

using Tokens = std::vector<std::string>;

const Tokens kSpecials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

Tokens with_specials(const Tokens& rest) {
  Tokens all = kSpecials;
  all.insert(all.end(), rest.begin(), rest.end());
  return all;
}

TEST(VocabTrainer, MergesTheMostFrequentPairFirst) {
  // Alphabet a b y z (+ ##), then: "##a"+"##b" (3 times) -> "##ab"; "y"+"##ab" (2) -> "yab";
  // "z"+"##ab" is seen once, below min_frequency 2.
  const Tokens texts = {"yab yab", "zab"};
  EXPECT_EQ(train_wordpiece_vocab(texts, 100),
            with_specials({"a", "b", "y", "z", "##a", "##b", "##y", "##z", "##ab", "yab"}));
}

TEST(VocabTrainer, BreaksTiesOnTheSmallerPairAndStopsAtTheSize) {
  // "x"+"##y" and "z"+"##w" are both seen twice: (x, ##y) has the smaller ids and goes first;
  // the size then leaves no room for "zw".
  const Tokens texts = {"xy zw", "zw xy"};
  const Tokens alphabet = {"w", "x", "y", "z", "##w", "##x", "##y", "##z"};
  Tokens want = with_specials(alphabet);
  want.push_back("xy");
  EXPECT_EQ(train_wordpiece_vocab(texts, want.size()), want);
  want.push_back("zw");
  EXPECT_EQ(train_wordpiece_vocab(texts, 100), want);
}

TEST(VocabTrainer, ChainsMergesAcrossPieces) {
  // (a, ##b) and (##b, ##c) tie at 3: "ab" first, then "ab"+"##c" -> "abc".
  const Tokens texts = {"abc abc", "abc"};
  EXPECT_EQ(train_wordpiece_vocab(texts, 100),
            with_specials({"a", "b", "c", "##a", "##b", "##c", "ab", "abc"}));
}

TEST(VocabTrainer, NormalizesLikeTheTokenizer) {
  const Tokens texts = {"Éa éa, ÉA!"};
  // Lowercased, accents stripped, punctuation isolated: words "ea" x3, "," and "!".
  EXPECT_EQ(train_wordpiece_vocab(texts, 100),
            with_specials({"!", ",", "a", "e", "##!", "##,", "##a", "##e", "ea"}));
  VocabTrainerOptions cased;
  cased.normalizer = {.lowercase = false, .strip_accents = false, .split_cjk = true};
  const auto tokens = train_wordpiece_vocab(texts, 100, cased);
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), "É"), tokens.end());
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), "##A"), tokens.end());
}

Tokens corpus() {
  Tokens texts;
  const Tokens words = {"energy",    "efficient", "transformer", "quantization", "inference",
                        "benchmark", "CPU",       "latency",     "throughput",   "embedding",
                        "attention", "Zürich",    "naïve",       "α-decay",      "μ-law"};
  std::mt19937 rng(7);
  for (int t = 0; t < 200; ++t) {
    std::string text;
    for (int w = 0; w < 12; ++w) {
      text += words[rng() % words.size()];
      text += w % 5 == 4 ? ". " : " ";
    }
    texts.push_back(text);
  }
  return texts;
}

TEST(VocabTrainer, IsDeterministicAndIndependentOfTextOrder) {
  Tokens texts = corpus();
  const auto first = train_wordpiece_vocab(texts, 120);
  EXPECT_EQ(train_wordpiece_vocab(texts, 120), first);
  std::reverse(texts.begin(), texts.end());
  EXPECT_EQ(train_wordpiece_vocab(texts, 120), first);
  EXPECT_EQ(first.size(), 120u);
  EXPECT_EQ(Tokens(first.begin(), first.begin() + 5), kSpecials);
}

TEST(VocabTrainer, RoundTripsItsCorpusWithoutUnk) {
  const Tokens texts = corpus();
  const auto tokens = train_wordpiece_vocab(texts, 150);
  const BertTokenizer tokenizer(Vocab::from_tokens(tokens, "trained"), NormalizerOptions{});
  WordList words;
  for (const auto& text : texts) {
    std::vector<int32_t> ids;
    tokenizer.tokenize(text, ids);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), tokenizer.vocab().unk_id()), 0) << text;
    // Gluing the pieces back gives the normalized words.
    words.clear();
    basic_tokenize(text, tokenizer.options(), words);
    std::string normalized, glued;
    for (size_t i = 0; i < words.size(); ++i) {
      normalized += words[i];
      normalized += ' ';
    }
    for (const auto& piece : tokenizer.tokens(ids)) {
      if (!piece.starts_with("##")) {
        if (!glued.empty()) glued += ' ';
        glued += piece;
      } else {
        glued += piece.substr(2);
      }
    }
    EXPECT_EQ(glued + " ", normalized);
  }
}

TEST(VocabTrainer, CoversTheAlphabetInBothPositions) {
  const Tokens texts = corpus();
  const auto tokens = train_wordpiece_vocab(texts, 150);
  const Vocab vocab = Vocab::from_tokens(tokens, "trained");
  for (std::string_view c : {"a", "z", "α", "μ", "-", "."}) {
    EXPECT_GE(vocab.piece_id(c, false), 0) << c;
    EXPECT_GE(vocab.piece_id(c, true), 0) << c;
  }
  // Characters never seen in training stay out; a word holding one becomes [UNK].
  EXPECT_LT(vocab.id("j"), 0);
  const BertTokenizer tokenizer(Vocab::from_tokens(tokens, "trained"), NormalizerOptions{});
  std::vector<int32_t> ids;
  tokenizer.tokenize("jet", ids);
  EXPECT_EQ(ids, std::vector<int32_t>{tokenizer.vocab().unk_id()});
}

TEST(VocabTrainer, MaxAlphabetKeepsTheMostFrequentCharacters) {
  const Tokens texts = {"aaaa bbb cc d"};
  VocabTrainerOptions options;
  options.max_alphabet = 2;
  // a (4) and b (3) stay; "cc" and "d" take no part; only "##a"+"##a" is seen twice.
  EXPECT_EQ(train_wordpiece_vocab(texts, 100, options),
            with_specials({"a", "b", "##a", "##b", "##aa"}));
}

TEST(VocabTrainer, RejectsASizeBelowSpecialsPlusAlphabet) {
  const Tokens texts = {"abc"};
  EXPECT_EQ(train_wordpiece_vocab(texts, 11).size(), 11u);  // 5 + 2 x 3
  try {
    train_wordpiece_vocab(texts, 10);
    FAIL() << "accepted a vocabulary too small for its alphabet";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("vocabulary size 10 is below"), std::string::npos);
  }
}

TEST(VocabTrainer, WritesFilesThatLoadBack) {
  const auto dir = testing::temp_dir("vocab-write");
  const auto tokens = train_wordpiece_vocab(corpus(), 120);
  write_vocab(dir / "vocab.txt", tokens);
  write_tokenizer_config(dir / "tokenizer_config.json",
                         {.lowercase = false, .strip_accents = false, .split_cjk = true});
  const auto tokenizer = BertTokenizer::from_file(dir / "vocab.txt");
  EXPECT_EQ(tokenizer.vocab().size(), 120);
  for (int32_t id = 0; id < 120; ++id) EXPECT_EQ(tokenizer.vocab().token(id), tokens[id]);
  EXPECT_FALSE(tokenizer.options().lowercase);
  EXPECT_FALSE(tokenizer.options().strip_accents);
  EXPECT_THROW(write_vocab(dir / "bad.txt", Tokens{"a", "b\nc"}), Error);
  EXPECT_THROW(write_vocab(dir / "bad.txt", Tokens{"a", ""}), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.txt"));
}

TEST(VocabCli, TrainsAVocabularyTheTokenizerCommandUses) {
  const auto dir = testing::temp_dir("vocab-cli");
  std::string text;
  for (const auto& line : corpus()) text += line + "\n";
  write_file_atomically(dir / "texts.txt", text);
  auto r = testing::run_cli("vocab --text-file " + (dir / "texts.txt").string() + " --out " +
                            (dir / "model").string() + " --size 140");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vocab: 140 tokens from 200 texts"), std::string::npos) << r.out;
  r = testing::run_cli("tokenize --vocab " + (dir / "model/vocab.txt").string(),
                       "Energy-efficient inference. Zürich\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("2 ")) << r.out;  // [CLS] of the compact layout
  EXPECT_TRUE(r.out.ends_with(" 3\n")) << r.out;
  EXPECT_EQ(r.out.find(" 1 "), std::string::npos) << r.out;  // no [UNK]

  r = testing::run_cli("vocab --text-file " + (dir / "texts.txt").string() + " --out " +
                       (dir / "tiny").string() + " --size 6");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("greenbert: error: vocabulary size 6 is below"), std::string::npos);
}

// --data trains on the training split only, and --out may name the vocabulary file itself.
TEST(VocabCli, TrainsOnTheTrainingSplitOfArxivData) {
  const auto dir = testing::temp_dir("vocab-cli-data");
  std::string csv = "titles,summaries,terms\n";
  for (int i = 0; i < 40; ++i)
    csv += cat("T", i, ",\"alpha beta gamma ", i % 2 ? "delta" : "epsilon", "\",\"['cs.LG']\"\n");
  write_file_atomically(dir / "data.csv", csv);
  auto r = testing::run_cli("vocab --data " + (dir / "data.csv").string() + " --out " +
                            (dir / "out/my-vocab.txt").string() + " --size 60");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("from 36 texts"), std::string::npos) << r.out;  // 90 % of 40
  EXPECT_TRUE(std::filesystem::exists(dir / "out/my-vocab.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out/tokenizer_config.json"));
  r = testing::run_cli("vocab --out " + (dir / "x").string());
  EXPECT_EQ(r.exit_code, 2) << "a usage error";
  EXPECT_NE(r.err.find("exactly one of --data"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace greenbert
