// tokenizer_config.json beside vocab.txt (do_lower_case, strip_accents, tokenize_chinese_chars).
#include "json_mutator.h"
#include "scratch.h"
#include "target.h"
#include "text/bert_tokenizer.h"
#include "text/vocab_trainer.h"

namespace {
constexpr std::string_view kKeys[] = {"do_lower_case",   "strip_accents", "tokenize_chinese_chars",
                                      "tokenizer_class", "BertTokenizer", "model_max_length"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  static const auto vocab_txt = [] {
    const auto path = fuzz::scratch_dir() / "vocab.txt";
    write_vocab(path, fuzz::tiny_vocab());
    return path;
  }();
  fuzz::scratch_file("tokenizer_config.json", fuzz::as_text(data, size));
  fuzz::read_or_refuse([&] { BertTokenizer::from_file(vocab_txt).encode(fuzz::kSampleText, 64); });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
