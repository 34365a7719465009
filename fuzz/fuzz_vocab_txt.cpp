// vocab.txt: every token looks up to an id holding the same text (a repeated token to its last
// line), and a tokenizer built on it encodes and decodes a sample text.
#include "scratch.h"
#include "target.h"
#include "text/bert_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto path = fuzz::scratch_file("vocab.txt", fuzz::as_text(data, size));
  fuzz::read_or_refuse([&] {
    const Vocab vocab = Vocab::load(path);
    for (int32_t id = 0; id < vocab.size(); ++id) {
      const int32_t found = vocab.id(vocab.token(id));
      fuzz::require(found >= id && vocab.token(found) == vocab.token(id),
                    "a token does not look up to its own (or a later) line");
    }
    const BertTokenizer tokenizer(vocab, NormalizerOptions{});
    const Encoding encoding = tokenizer.encode(fuzz::kSampleText, 64);
    for (int32_t id : encoding.input_ids)
      fuzz::require(id >= 0 && id < vocab.size(), "an id outside the vocabulary");
    tokenizer.decode(encoding.input_ids, false);
  });
  return 0;
}
