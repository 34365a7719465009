// Id-for-id agreement with every Hugging Face tokenizer reference in ../shared/models (see its
// README.md): SQuAD questions through BasicTokenizer and WordPiece, the swift-transformers edge
// cases with [CLS]/[SEP] and decoding, a long French text, and llama.cpp's BGE test vectors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "support.h"
#include "text/bert_tokenizer.h"

namespace greenbert {
namespace {

using nlohmann::json;

constexpr const char* kVocab = "models/bert-base-uncased-vocab.txt";
constexpr const char* kRefs = "models/bert-uncased-tokenizer-refs/";

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

std::string join(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) {
    if (!out.empty()) out += ' ';
    out += std::to_string(id);
  }
  return out;
}

TEST(TokenizerReference, SquadQuestionsBasicWordpieceAndIds) {
  GREENBERT_SHARED_PATH(vocab_path, kVocab);
  GREENBERT_SHARED_PATH(refs, kRefs);
  const auto tokenizer = BertTokenizer::from_file(vocab_path);
  const json questions = json::parse(read_file(refs / "question_tokens.json"));
  const json expected_ids = json::parse(read_file(refs / "tokenized_questions.json"));
  ASSERT_EQ(questions.size(), 10570u);
  ASSERT_EQ(expected_ids.size(), questions.size());

  int basic_mismatches = 0, piece_mismatches = 0, id_mismatches = 0;
  WordList words;
  std::vector<int32_t> ids;
  for (size_t i = 0; i < questions.size(); ++i) {
    const auto text = questions[i]["original"].get<std::string>();
    words.clear();
    basic_tokenize(text, tokenizer.options(), words);
    std::vector<std::string> basic;
    for (size_t w = 0; w < words.size(); ++w) basic.emplace_back(words[w]);
    if (basic != questions[i]["basic"].get<std::vector<std::string>>() && ++basic_mismatches <= 5) {
      ADD_FAILURE() << "basic #" << i << " " << text << "\n got " << join(basic);
    }
    ids.clear();
    tokenizer.tokenize(text, ids);
    const auto pieces = tokenizer.tokens(ids);
    if (pieces != questions[i]["wordpiece"].get<std::vector<std::string>>() &&
        ++piece_mismatches <= 5) {
      ADD_FAILURE() << "wordpiece #" << i << " " << text << "\n got " << join(pieces);
    }
    if (ids != expected_ids[i].get<std::vector<int32_t>>() && ++id_mismatches <= 5) {
      ADD_FAILURE() << "ids #" << i << " " << text << "\n got " << join(ids);
    }
  }
  EXPECT_EQ(basic_mismatches, 0);
  EXPECT_EQ(piece_mismatches, 0);
  EXPECT_EQ(id_mismatches, 0);
}

TEST(TokenizerReference, EdgeCasesWithSpecialsMasksAndDecoding) {
  GREENBERT_SHARED_PATH(vocab_path, kVocab);
  GREENBERT_SHARED_PATH(refs, kRefs);
  const auto tokenizer = BertTokenizer::from_file(vocab_path);
  const json cases = json::parse(read_file(refs / "tokenizer_tests.json"))["bert-base-uncased"];
  ASSERT_EQ(cases.size(), 18u);
  for (const auto& c : cases) {
    const auto text = c["input"].get<std::string>();
    SCOPED_TRACE(text);
    const Encoding e = tokenizer.encode(text, 512);
    EXPECT_EQ(e.input_ids, c["encoded"]["input_ids"].get<std::vector<int32_t>>());
    EXPECT_EQ(e.token_type_ids, c["encoded"]["token_type_ids"].get<std::vector<int32_t>>());
    EXPECT_EQ(e.attention_mask, c["encoded"]["attention_mask"].get<std::vector<int32_t>>());
    EXPECT_EQ(tokenizer.decode(e.input_ids, false), c["decoded_with_special"].get<std::string>());
    EXPECT_EQ(tokenizer.decode(e.input_ids, true), c["decoded_without_special"].get<std::string>());
  }
}

TEST(TokenizerReference, LongFrenchTextStripsAccents) {
  GREENBERT_SHARED_PATH(vocab_path, kVocab);
  GREENBERT_SHARED_PATH(refs, kRefs);
  const auto tokenizer = BertTokenizer::from_file(vocab_path);
  const json ref = json::parse(read_file(refs / "bert_uncased_encoded.json"));
  const Encoding e = tokenizer.encode(ref["text"].get<std::string>(), 512);
  EXPECT_EQ(e.input_ids, ref["token_ids"].get<std::vector<int32_t>>());
  auto pieces = tokenizer.tokens(e.input_ids);
  ASSERT_GE(pieces.size(), 2u);
  EXPECT_EQ(pieces.front(), "[CLS]");
  EXPECT_EQ(pieces.back(), "[SEP]");
  // bpe_tokens lists the pieces without the specials.
  EXPECT_EQ(std::vector<std::string>(pieces.begin() + 1, pieces.end() - 1),
            ref["bpe_tokens"].get<std::vector<std::string>>());
  EXPECT_EQ(tokenizer.decode(e.input_ids, false), ref["decoded_text"].get<std::string>());
}

TEST(TokenizerReference, LlamaCppBgeVectors) {
  GREENBERT_SHARED_PATH(vocab_path, kVocab);
  GREENBERT_SHARED_PATH(inputs_path, "models/llamacpp-bert-bge-vocab/ggml-vocab-bert-bge.gguf.inp");
  GREENBERT_SHARED_PATH(outputs_path,
                        "models/llamacpp-bert-bge-vocab/ggml-vocab-bert-bge.gguf.out");
  const auto tokenizer = BertTokenizer::from_file(vocab_path);
  const std::string separator = "\n__ggml_vocab_test__\n";
  const std::string inputs = read_file(inputs_path);
  const std::string outputs = read_file(outputs_path);

  std::vector<std::string> texts;
  for (size_t at = 0, next; (next = inputs.find(separator, at)) != std::string::npos;
       at = next + separator.size()) {
    texts.push_back(inputs.substr(at, next - at));
  }
  std::vector<std::string> expected;
  for (size_t at = 0, next; (next = outputs.find('\n', at)) != std::string::npos; at = next + 1) {
    expected.push_back(outputs.substr(at, next - at));
  }
  ASSERT_EQ(texts.size(), 46u);
  ASSERT_EQ(expected.size(), texts.size());

  int mismatches = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<int32_t> ids;
    tokenizer.tokenize(texts[i], ids);
    std::string got;
    for (int32_t id : ids) {
      got += ' ';  // the .out lines start with a space
      got += std::to_string(id);
    }
    if (got != expected[i]) {
      ++mismatches;
      ADD_FAILURE() << "case " << i << " " << json(texts[i]).dump() << "\n got" << got << "\nwant"
                    << expected[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace greenbert

namespace greenbert {
namespace {

TEST(TokenizerReference, LoadsTheFixtureVocabulariesWithTheirConfigs) {
  // camphr-bert-test: 1000 tokens, no final newline, do_lower_case false in its config.
  GREENBERT_SHARED_PATH(camphr, "models/camphr-bert-test/vocab.txt");
  const auto cased = BertTokenizer::from_file(camphr);
  EXPECT_EQ(cased.vocab().size(), 1000);
  EXPECT_FALSE(cased.options().lowercase);
  EXPECT_FALSE(cased.options().strip_accents);
  EXPECT_EQ(cased.vocab().unk_id(), 100);
  EXPECT_EQ(cased.vocab().cls_id(), 101);
  EXPECT_EQ(cased.vocab().sep_id(), 102);
  EXPECT_EQ(cased.vocab().mask_id(), 103);

  // The tiny random classifier: compact layout [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4.
  GREENBERT_SHARED_PATH(tiny, "models/tiny-random-BertForSequenceClassification/vocab.txt");
  const auto compact = BertTokenizer::from_file(tiny);
  EXPECT_EQ(compact.vocab().size(), 1124);
  EXPECT_TRUE(compact.options().lowercase);
  EXPECT_EQ(compact.encode("", 8).input_ids, (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(compact.vocab().pad_id(), 0);
  EXPECT_EQ(compact.vocab().mask_id(), 4);
}

}  // namespace
}  // namespace greenbert
