// One test per rule of the basic tokenizer, WordPiece and the vocabulary file, each written so
// that breaking the rule breaks the test.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support.h"
#include "text/basic_tokenizer.h"
#include "text/vocab.h"
#include "text/wordpiece.h"

namespace greenbert {
namespace {

using Words = std::vector<std::string>;

Words words_of(std::string_view text, NormalizerOptions options = {}) {
  WordList list;
  basic_tokenize(text, options, list);
  Words out;
  for (size_t i = 0; i < list.size(); ++i) out.emplace_back(list[i]);
  return out;
}

constexpr NormalizerOptions kCased{.lowercase = false, .strip_accents = false, .split_cjk = true};

TEST(BasicTokenizer, RemovesNulReplacementAndControlCharacters) {
  // Cc (U+0001, U+007F, U+0085), Cf (U+200B zero width space, U+FEFF), Co (U+E000) and
  // U+FFFD vanish without splitting the word they sit in.
  EXPECT_EQ(words_of("a\x01"
                     "b\x7f"
                     "c"),
            Words{"abc"});
  EXPECT_EQ(words_of(std::string("a\0b", 3)), Words{"ab"});
  EXPECT_EQ(words_of("a\u200Bb\uFEFFc\uE000d\uFFFDe\u0085f"), Words{"abcdef"});
  // \x0B and \x0C are White_Space but Cc: the control filter runs first and removes them.
  EXPECT_EQ(words_of("a\x0B"
                     "b\x0C"
                     "c"),
            Words{"abc"});
}

TEST(BasicTokenizer, KeepsUnassignedCodePointsLikeTheFastTokenizer) {
  // U+0378 is unassigned (Cn): the slow Python tokenizer drops it, the Rust one keeps it.
  EXPECT_EQ(words_of("a\u0378b"), Words{"a\u0378b"});
}

TEST(BasicTokenizer, InvalidUtf8BytesAreDropped) {
  EXPECT_EQ(words_of("ab\xFF"
                     "cd\xC3"),
            Words{"abcd"});
  EXPECT_EQ(words_of("\xED\xA0\x80x"), Words{"x"});  // an encoded surrogate
}

TEST(BasicTokenizer, SplitsOnEveryKindOfWhitespace) {
  EXPECT_EQ(words_of(" a\tb\nc\rd\u00A0e\u3000f\u2028g\u2029h\u2009i  "),
            (Words{"a", "b", "c", "d", "e", "f", "g", "h", "i"}));
  EXPECT_TRUE(words_of(" \t\n\u00A0").empty());
}

TEST(BasicTokenizer, IsolatesUnicodeAndAsciiPunctuation) {
  EXPECT_EQ(words_of("a.b,c!?"), (Words{"a", ".", "b", ",", "c", "!", "?"}));
  // ASCII symbols count even where Unicode says Sc/Sm/Sk: $ + ^ ` | ~.
  EXPECT_EQ(words_of("1$2+3^4`5|6~7"),
            (Words{"1", "$", "2", "+", "3", "^", "4", "`", "5", "|", "6", "~", "7"}));
  // Non-ASCII P*: ¿ (Po), — (Pd), « » (Pi/Pf), … (Po).
  EXPECT_EQ(words_of("¿x—y«z»…"), (Words{"¿", "x", "—", "y", "«", "z", "»", "…"}));
  // Non-ASCII symbols are not punctuation: € (Sc), ± (Sm), ° (So) stay inside words.
  EXPECT_EQ(words_of("a€b±c°d"), Words{"a€b±c°d"});
}

TEST(BasicTokenizer, LowercasesAndStripsAccents) {
  EXPECT_EQ(words_of("Café ÑANDÚ Ångström"), (Words{"cafe", "nandu", "angstrom"}));
  // Already decomposed text: the combining acute (Mn) is dropped.
  EXPECT_EQ(words_of("Cafe\u0301"), Words{"cafe"});
  // Greek keeps its letters; accents and case go, and final sigma is NOT applied (fast rule).
  EXPECT_EQ(words_of("ΆΛΦΑ ΟΔΟΣ"), (Words{"αλφα", "οδοσ"}));
  // Hangul syllables decompose into jamo under NFD.
  EXPECT_EQ(words_of("한"), Words{"\u1112\u1161\u11AB"});
  // NFD can produce ASCII punctuation: U+1FEF GREEK VARIA decomposes to '`'.
  EXPECT_EQ(words_of("a\u1FEFb"), (Words{"a", "`", "b"}));
}

TEST(BasicTokenizer, DecomposedMarksAreCanonicallyOrdered) {
  // Two spacing marks (Mc, kept by accent stripping) in non-canonical order: NFD reorders
  // them by combining class (216 before 226).
  EXPECT_EQ(words_of("a\U0001D16D\U0001D165"), Words{"a\U0001D165\U0001D16D"});
  // Without accent stripping there is no NFD, so the order stays.
  EXPECT_EQ(words_of("a\U0001D16D\U0001D165", kCased), Words{"a\U0001D16D\U0001D165"});
}

TEST(BasicTokenizer, CasedAndLowercaseWithoutStripping) {
  EXPECT_EQ(words_of("Café İ", kCased), (Words{"Café", "İ"}));
  NormalizerOptions lower_keep_accents{.lowercase = true, .strip_accents = false};
  // Rust's full lowercase of U+0130 is "i" + U+0307; with stripping it is plain "i".
  EXPECT_EQ(words_of("Café İ", lower_keep_accents), (Words{"café", "i\u0307"}));
  EXPECT_EQ(words_of("İ"), Words{"i"});
  NormalizerOptions strip_only{.lowercase = false, .strip_accents = true};
  EXPECT_EQ(words_of("Café", strip_only), Words{"Cafe"});
}

TEST(BasicTokenizer, SurroundsCjkIdeographsWithSpaces) {
  EXPECT_EQ(words_of("生活abc的"), (Words{"生", "活", "abc", "的"}));
  NormalizerOptions keep_cjk{.split_cjk = false};
  EXPECT_EQ(words_of("生活abc的", keep_cjk), Words{"生活abc的"});
  // Hiragana is not in the ranges; accent stripping drops the voicing mark of が (U+3099, Mn),
  // as HF does for uncased models.
  EXPECT_EQ(words_of("ひらがな"), Words{"ひらかな"});
  // Fast ranges: U+2B920.. is split, U+2B820..U+2B91F is not (the slow tokenizer splits it).
  EXPECT_EQ(words_of("a\U0002B920b"), (Words{"a", "\U0002B920", "b"}));
  EXPECT_EQ(words_of("a\U0002B820b"), Words{"a\U0002B820b"});
}

TEST(BasicTokenizer, RandomBytesGiveNonEmptyWordsWithoutWhitespace) {
  // Arbitrary bytes (mostly invalid UTF-8) never fail and never yield an empty word or one
  // holding whitespace or a control character; punctuation stands alone.
  std::mt19937 rng(1);
  const std::string alphabet = std::string("aZ .,\t\n\x01") + "é€Σ生\u2028\u0301\xFF\xC3";
  WordList list;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const size_t length = rng() % 40;
    for (size_t i = 0; i < length; ++i) {
      text += rng() % 4 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
    }
    list.clear();
    basic_tokenize(text, NormalizerOptions{}, list);
    for (size_t w = 0; w < list.size(); ++w) {
      const std::string_view word = list[w];
      ASSERT_FALSE(word.empty()) << text;
      for (char c : word) {
        ASSERT_TRUE(static_cast<unsigned char>(c) > 0x20 && c != 0x7F) << text;
      }
      ASSERT_EQ(word.find("\u2028"), std::string_view::npos) << text;
      if (word.size() == 1 && std::string_view(".,").find(word[0]) != std::string_view::npos) {
        continue;
      }
      ASSERT_EQ(word.find_first_of(".,"), std::string_view::npos) << text;
    }
  }
}

Vocab small_vocab() {
  return Vocab::from_tokens({"[UNK]", "[CLS]", "[SEP]", "want", "##want", "##ed", "wa", "un",
                             "runn", "##ing", ",", "a", "##a", "é", "##é"},
                            "small");
}

std::vector<std::string> pieces(std::string_view word, const Vocab& vocab) {
  std::vector<int32_t> ids;
  wordpiece(word, vocab, vocab.unk_id(), ids);
  std::vector<std::string> out;
  for (int32_t id : ids) out.emplace_back(vocab.token(id));
  return out;
}

TEST(WordPiece, GreedyLongestMatchFirstWithContinuationPrefix) {
  const Vocab vocab = small_vocab();
  EXPECT_EQ(pieces("unwanted", vocab), (Words{"un", "##want", "##ed"}));
  EXPECT_EQ(pieces("running", vocab), (Words{"runn", "##ing"}));
  EXPECT_EQ(pieces("want", vocab), Words{"want"});  // not "wa" + ...
}

TEST(WordPiece, UnmatchableWordBecomesOneUnk) {
  const Vocab vocab = small_vocab();
  EXPECT_EQ(pieces("unwantedX", vocab), Words{"[UNK]"});
  EXPECT_EQ(pieces("edwant", vocab), Words{"[UNK]"});  // "ed" only exists as "##ed"
}

TEST(WordPiece, WordsLongerThan100CharactersAreUnk) {
  const Vocab vocab = small_vocab();
  EXPECT_EQ(pieces(std::string(100, 'a'), vocab).size(), 100u);
  EXPECT_EQ(pieces(std::string(101, 'a'), vocab), Words{"[UNK]"});
  // The limit counts characters, not bytes: 100 two-byte characters still tokenize.
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "é";
  EXPECT_EQ(pieces(accented, vocab).size(), 100u);
  EXPECT_EQ(pieces(accented + "é", vocab), Words{"[UNK]"});
}

std::filesystem::path write_vocab_file(const std::string& name, const std::string& contents) {
  auto path = testing::temp_dir(name) / "vocab.txt";
  write_file_atomically(path, contents);
  return path;
}

TEST(Vocab, ToleratesCrlfAndMissingFinalNewline) {
  const Vocab vocab = Vocab::load(write_vocab_file("vocab-crlf", "[PAD]\r\nhello\r\n##lo\r\nend"));
  EXPECT_EQ(vocab.size(), 4);
  EXPECT_EQ(vocab.id("hello"), 1);
  EXPECT_EQ(vocab.id("##lo"), 2);
  EXPECT_EQ(vocab.piece_id("lo", true), 2);
  EXPECT_EQ(vocab.piece_id("lo", false), -1);
  EXPECT_EQ(vocab.id("end"), 3);
  EXPECT_EQ(vocab.token(1), "hello");
  EXPECT_EQ(vocab.pad_id(), 0);
  EXPECT_EQ(vocab.unk_id(), -1);
}

TEST(Vocab, EmptyLinesKeepLaterIdsAndDuplicatesResolveToTheLastLine) {
  const Vocab vocab = Vocab::load(write_vocab_file("vocab-dup", "a\n\nb\na\nc\n"));
  EXPECT_EQ(vocab.size(), 5);
  EXPECT_EQ(vocab.id("a"), 3);
  EXPECT_EQ(vocab.id("b"), 2);
  EXPECT_EQ(vocab.id("c"), 4);
  EXPECT_EQ(vocab.token(0), "a");
  EXPECT_EQ(vocab.token(1), "");
}

TEST(Vocab, RejectsBadFilesWithAUsefulMessage) {
  auto message = [](const std::filesystem::path& path) {
    try {
      Vocab::load(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto missing = testing::temp_dir("vocab-missing") / "vocab.txt";
  EXPECT_NE(message(missing).find(missing.string()), std::string::npos);
  EXPECT_NE(message(write_vocab_file("vocab-empty", "")).find("empty vocabulary"),
            std::string::npos);
  EXPECT_NE(message(write_vocab_file("vocab-bom", "\xEF\xBB\xBF[PAD]\n")).find("byte order mark"),
            std::string::npos);
  auto bad = write_vocab_file("vocab-bad", "ok\nb\xFFg\n");
  EXPECT_NE(message(bad).find(bad.string() + ":2: token is not valid UTF-8"), std::string::npos);
  const Vocab vocab = Vocab::from_tokens({"x"}, "tiny");
  EXPECT_THROW(vocab.token(1), Error);
  EXPECT_THROW(vocab.token(-1), Error);
}

}  // namespace
}  // namespace greenbert
