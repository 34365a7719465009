// tokenizer.json (HF fast tokenizers) in a model directory without vocab.txt: the WordPiece
// vocabulary and the normalizer settings, then a sample text encoded with them.
#include "json_mutator.h"
#include "model/model_directory.h"
#include "model_dir_fixture.h"

namespace {
constexpr std::string_view kKeys[] = {"model",
                                      "type",
                                      "WordPiece",
                                      "vocab",
                                      "unk_token",
                                      "[UNK]",
                                      "[CLS]",
                                      "[SEP]",
                                      "[PAD]",
                                      "[MASK]",
                                      "continuing_subword_prefix",
                                      "##",
                                      "normalizer",
                                      "BertNormalizer",
                                      "lowercase",
                                      "strip_accents",
                                      "handle_chinese_chars",
                                      "clean_text",
                                      "pre_tokenizer",
                                      "added_tokens",
                                      "id",
                                      "content",
                                      "special"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto check = [](const ModelDirectory& model) {
    model.tokenizer.encode(fuzz::kSampleText, 64);
  };
  fuzz::open_with_file("tokenizer_json", false, "tokenizer.json", fuzz::as_text(data, size), check);
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
