// `greenbert tokenize` end to end through the built binary: the exact output format the
// acceptance checks read, truncation, token strings, the lowercase override and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/atomic_file.h"
#include "support.h"

namespace greenbert {
namespace {

TEST(TokenizeCli, PrintsIdsWithClsAndSepOneLinePerText) {
  GREENBERT_SHARED_PATH(vocab, "models/bert-base-uncased-vocab.txt");
  const auto r = testing::run_cli("tokenize --vocab " + vocab.string(),
                                  "Hello, world!\n\nied 4 ½ months\nThis is [MASK].\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "101 7592 1010 2088 999 102\n"
            "101 102\n"
            "101 29464 2094 1018 1092 2706 102\n"
            "101 2023 2003 103 1012 102\n");
  EXPECT_EQ(r.err, "");
}

TEST(TokenizeCli, TruncatesToMaxLengthAndPrintsTokens) {
  GREENBERT_SHARED_PATH(vocab, "models/bert-base-uncased-vocab.txt");
  auto r =
      testing::run_cli("tokenize --vocab " + vocab.string() + " --max-length 4", "Hello, world!\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "101 7592 1010 102\n");
  r = testing::run_cli("tokenize --tokens --vocab " + vocab.string(), "Führer unaffable\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // "unaffable" is the example of Google's BERT README.
  EXPECT_EQ(r.out, "[CLS] fu ##hrer una ##ffa ##ble [SEP]\n");
}

TEST(TokenizeCli, DefaultMaxLengthIs512) {
  GREENBERT_SHARED_PATH(vocab, "models/bert-base-uncased-vocab.txt");
  std::string text;
  for (int i = 0; i < 600; ++i) text += "word ";
  const auto r = testing::run_cli("tokenize --vocab " + vocab.string(), text + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), ' '), 511);
  EXPECT_TRUE(r.out.ends_with(" 102\n"));
}

TEST(TokenizeCli, LowercaseOverride) {
  auto dir = testing::temp_dir("cli-cased");
  write_file_atomically(dir / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nHello\n");
  const std::string vocab = (dir / "vocab.txt").string();
  EXPECT_EQ(testing::run_cli("tokenize --vocab " + vocab, "Hello\n").out, "2 4 3\n");
  EXPECT_EQ(testing::run_cli("tokenize --lowercase false --vocab " + vocab, "Hello\n").out,
            "2 5 3\n");
}

TEST(TokenizeCli, ReportsUserErrors) {
  auto r = testing::run_cli("tokenize --vocab /nonexistent/vocab.txt", "x\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "greenbert: error: /nonexistent/vocab.txt: cannot open: No such file or directory\n");
  GREENBERT_SHARED_PATH(vocab, "models/bert-base-uncased-vocab.txt");
  r = testing::run_cli("tokenize --max-length 1 --vocab " + vocab.string(), "x\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("max_length 1"), std::string::npos);
  r = testing::run_cli("tokenize", "");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--vocab is required"), std::string::npos);
}

}  // namespace
}  // namespace greenbert
