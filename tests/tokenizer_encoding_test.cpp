// The encoding layer: special tokens in text, [CLS]/[SEP] templates, truncation (HF's
// longest_first for pairs), padding, batches, and options from tokenizer_config.json.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support.h"
#include "text/bert_tokenizer.h"

namespace greenbert {
namespace {

// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then plain words.
const std::vector<std::string> kTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                                          "a",     "b",     "hello", "world", "Hello",
                                          "[",     "sep",   "]",     "cl",    "##s"};
constexpr int32_t kPad = 0, kUnk = 1, kCls = 2, kSep = 3, kMask = 4, kA = 5, kB = 6;

BertTokenizer small_tokenizer(NormalizerOptions options = {}) {
  return BertTokenizer(Vocab::from_tokens(kTokens, "small"), options);
}

std::vector<int32_t> ids_of(const BertTokenizer& tokenizer, std::string_view text) {
  std::vector<int32_t> ids;
  tokenizer.tokenize(text, ids);
  return ids;
}

std::string repeat(const char* word, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    out += word;
  }
  return out;
}

TEST(BertTokenizer, SpecialTokensInTextAreMatchedExactlyBeforeNormalization) {
  const auto tokenizer = small_tokenizer();
  EXPECT_EQ(ids_of(tokenizer, "a[SEP]b [MASK]"), (std::vector<int32_t>{kA, kSep, kB, kMask}));
  EXPECT_EQ(ids_of(tokenizer, "[CLS][PAD][UNK]"), (std::vector<int32_t>{kCls, kPad, kUnk}));
  // Case-sensitive: a lowercase "[sep]" is ordinary text.
  EXPECT_EQ(ids_of(tokenizer, "[sep]"), (std::vector<int32_t>{10, 11, 12}));
  // An incomplete one is ordinary text too: "[", "cl" "##s".
  EXPECT_EQ(ids_of(tokenizer, "[CLS"), (std::vector<int32_t>{10, 13, 14}));
}

TEST(BertTokenizer, TokenizeAppends) {
  const auto tokenizer = small_tokenizer();
  std::vector<int32_t> ids{42};
  tokenizer.tokenize("a b", ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{42, kA, kB}));
}

TEST(BertTokenizer, RequiresTheSpecialTokensItWrites) {
  EXPECT_THROW(BertTokenizer(Vocab::from_tokens({"[PAD]", "[CLS]", "[SEP]", "a"}, "v"), {}), Error);
  try {
    BertTokenizer(Vocab::from_tokens({"[PAD]", "[UNK]", "[SEP]"}, "my-vocab.txt"), {});
    FAIL() << "accepted a vocabulary without [CLS]";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "my-vocab.txt: vocabulary has no [CLS] token");
  }
}

TEST(BertTokenizer, EncodeSingleAddsClsSepAndTruncates) {
  const auto tokenizer = small_tokenizer();
  Encoding e = tokenizer.encode("a b a b", 512);
  EXPECT_EQ(e.input_ids, (std::vector<int32_t>{kCls, kA, kB, kA, kB, kSep}));
  EXPECT_EQ(e.token_type_ids, std::vector<int32_t>(6, 0));
  EXPECT_EQ(e.attention_mask, std::vector<int32_t>(6, 1));
  EXPECT_EQ(tokenizer.encode("a b a b", 4).input_ids, (std::vector<int32_t>{kCls, kA, kB, kSep}));
  EXPECT_EQ(tokenizer.encode("a b a b", 2).input_ids, (std::vector<int32_t>{kCls, kSep}));
  EXPECT_EQ(tokenizer.encode("", 8).input_ids, (std::vector<int32_t>{kCls, kSep}));
  EXPECT_THROW(tokenizer.encode("a", 1), Error);
}

TEST(BertTokenizer, EncodePairTruncatesLongestFirstLikeHf) {
  // The table of tokenizers' utils/truncation.rs test (budget 7 = max_length 10 - 3 specials):
  // {length of a, length of b, kept of a, kept of b}.
  const int cases[][4] = {{0, 0, 0, 0}, {0, 2, 0, 2}, {0, 4, 0, 4}, {0, 8, 0, 7},
                          {2, 0, 2, 0}, {2, 2, 2, 2}, {2, 4, 2, 4}, {2, 8, 2, 5},
                          {4, 0, 4, 0}, {4, 2, 4, 2}, {4, 4, 3, 4}, {4, 8, 3, 4},
                          {8, 0, 7, 0}, {8, 2, 5, 2}, {8, 4, 4, 3}, {8, 8, 3, 4}};
  const auto tokenizer = small_tokenizer();
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << c[0] << " + " << c[1]);
    const Encoding e = tokenizer.encode_pair(repeat("a", c[0]), repeat("b", c[1]), 10);
    std::vector<int32_t> want{kCls};
    want.insert(want.end(), static_cast<size_t>(c[2]), kA);
    want.push_back(kSep);
    const size_t first = want.size();
    want.insert(want.end(), static_cast<size_t>(c[3]), kB);
    want.push_back(kSep);
    EXPECT_EQ(e.input_ids, want);
    std::vector<int32_t> types(want.size(), 1);
    std::fill(types.begin(), types.begin() + static_cast<ptrdiff_t>(first), 0);
    EXPECT_EQ(e.token_type_ids, types);
    EXPECT_EQ(e.attention_mask, std::vector<int32_t>(want.size(), 1));
  }
  EXPECT_THROW(tokenizer.encode_pair("a", "b", 2), Error);
  EXPECT_EQ(tokenizer.encode_pair("a b", "a b", 3).input_ids,
            (std::vector<int32_t>{kCls, kSep, kSep}));
}

TEST(BertTokenizer, ArbitraryBytesGiveValidIds) {
  const auto tokenizer = small_tokenizer();
  std::mt19937 rng(3);
  const std::string_view pieces = "ab [SEP]\xC3";
  for (int round = 0; round < 1000; ++round) {
    std::string text;
    for (size_t i = rng() % 64; i > 0; --i) {
      text += rng() % 3 ? pieces[rng() % pieces.size()] : static_cast<char>(rng());
    }
    const Encoding e = tokenizer.encode(text, 32);
    ASSERT_LE(e.input_ids.size(), 32u);
    ASSERT_EQ(e.input_ids.front(), kCls);
    ASSERT_EQ(e.input_ids.back(), kSep);
    for (int32_t id : e.input_ids) ASSERT_TRUE(id >= 0 && id < tokenizer.vocab().size());
  }
}

TEST(BertTokenizer, PaddingFillsPadTypeZeroMaskZero) {
  Encoding e{{kCls, kA, kSep}, {0, 0, 0}, {1, 1, 1}};
  pad_encoding(e, 5, kPad);
  EXPECT_EQ(e.input_ids, (std::vector<int32_t>{kCls, kA, kSep, kPad, kPad}));
  EXPECT_EQ(e.token_type_ids, (std::vector<int32_t>{0, 0, 0, 0, 0}));
  EXPECT_EQ(e.attention_mask, (std::vector<int32_t>{1, 1, 1, 0, 0}));
  pad_encoding(e, 2, kPad);  // never truncates
  EXPECT_EQ(e.input_ids.size(), 5u);
}

TEST(BertTokenizer, BatchEqualsSingleEncodingsThenPads) {
  const auto tokenizer = small_tokenizer();
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) texts.push_back(repeat(i % 3 ? "a" : "hello world", i % 11));
  const auto unpadded = tokenizer.encode_batch(texts, 8, Padding::none);
  const auto longest = tokenizer.encode_batch(texts, 8, Padding::longest);
  const auto fixed = tokenizer.encode_batch(texts, 16, Padding::max_length);
  ASSERT_EQ(unpadded.size(), texts.size());
  size_t longest_length = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const Encoding single = tokenizer.encode(texts[i], 8);
    EXPECT_EQ(unpadded[i].input_ids, single.input_ids);
    longest_length = std::max(longest_length, single.input_ids.size());
  }
  EXPECT_EQ(longest_length, 8u);
  for (size_t i = 0; i < texts.size(); ++i) {
    Encoding want = tokenizer.encode(texts[i], 8);
    pad_encoding(want, 8, kPad);
    EXPECT_EQ(longest[i].input_ids, want.input_ids);
    EXPECT_EQ(longest[i].attention_mask, want.attention_mask);
    EXPECT_EQ(fixed[i].input_ids.size(), 16u);
    EXPECT_EQ(fixed[i].token_type_ids.size(), 16u);
    EXPECT_EQ(fixed[i].attention_mask.size(), 16u);
  }
}

TEST(BertTokenizer, TokensAndDecode) {
  const auto tokenizer = small_tokenizer();
  const Encoding e = tokenizer.encode("hello [MASK] world", 16);
  EXPECT_EQ(tokenizer.tokens(e.input_ids),
            (std::vector<std::string>{"[CLS]", "hello", "[MASK]", "world", "[SEP]"}));
  EXPECT_EQ(tokenizer.decode(e.input_ids, false), "[CLS] hello [MASK] world [SEP]");
  EXPECT_EQ(tokenizer.decode(e.input_ids, true), "hello world");
  EXPECT_EQ(tokenizer.decode(std::vector<int32_t>{13, 14}, false), "cls");
}

std::filesystem::path vocab_dir(const std::string& name, const std::string& config) {
  auto dir = testing::temp_dir(name);
  std::string vocab;
  for (const auto& t : kTokens) vocab += t + "\n";
  write_file_atomically(dir / "vocab.txt", vocab);
  if (!config.empty()) write_file_atomically(dir / "tokenizer_config.json", config);
  return dir / "vocab.txt";
}

TEST(BertTokenizer, ReadsCaseAndAccentOptionsFromTokenizerConfig) {
  auto uncased = BertTokenizer::from_file(vocab_dir("tok-default", ""));
  EXPECT_TRUE(uncased.options().lowercase);
  EXPECT_TRUE(uncased.options().strip_accents);
  EXPECT_EQ(ids_of(uncased, "Hello"), std::vector<int32_t>{7});

  auto cased = BertTokenizer::from_file(
      vocab_dir("tok-cased", R"({"do_lower_case": false, "strip_accents": null})"));
  EXPECT_FALSE(cased.options().lowercase);
  EXPECT_FALSE(cased.options().strip_accents);
  EXPECT_TRUE(cased.options().split_cjk);
  EXPECT_EQ(ids_of(cased, "Hello"), std::vector<int32_t>{9});

  // Explicit options win over the file.
  TokenizerOptions lowercase;
  lowercase.lowercase = true;
  auto forced =
      BertTokenizer::from_file(vocab_dir("tok-forced", R"({"do_lower_case": false})"), lowercase);
  EXPECT_EQ(ids_of(forced, "Hello"), std::vector<int32_t>{7});

  auto no_cjk = BertTokenizer::from_file(
      vocab_dir("tok-cjk", R"({"tokenize_chinese_chars": false, "strip_accents": true})"));
  EXPECT_FALSE(no_cjk.options().split_cjk);
  EXPECT_TRUE(no_cjk.options().strip_accents);
}

TEST(BertTokenizer, RejectsBadTokenizerConfig) {
  auto message = [](const std::string& config) {
    try {
      BertTokenizer::from_file(vocab_dir("tok-bad", config));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("{not json").find("tokenizer_config.json: not valid JSON"), std::string::npos);
  EXPECT_NE(message(R"({"do_lower_case": "yes"})")
                .find("tokenizer_config.json: do_lower_case must be true, false or null"),
            std::string::npos);
  EXPECT_NE(message("[1, 2]").find("expected a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace greenbert
