// `greenbert predict` input (lines, lines with model-input JSON, CSV, JSONL; the first byte
// picks the format) read and encoded for the tiny model: every id, token type and position
// that reaches the model indexes inside its embedding tables.
#include <algorithm>
#include <sstream>

#include "data/predict_reader.h"
#include "infer/classifier.h"
#include "json_mutator.h"
#include "target.h"
#include "text/bert_tokenizer.h"

namespace {
constexpr std::string_view kKeys[] = {"input_ids", "attention_mask", "token_type_ids", "text",
                                      "abstract",  "title",          "summaries",      "titles"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  if (size == 0) return 0;
  static const BertConfig config = fuzz::tiny_config();
  static const BertTokenizer tokenizer(Vocab::from_tokens(fuzz::tiny_vocab(), "vocab.txt"),
                                       NormalizerOptions{});
  const uint8_t mode = data[0];
  const PredictFormat formats[] = {PredictFormat::lines, PredictFormat::lines, PredictFormat::csv,
                                   PredictFormat::jsonl};
  PredictReaderOptions options;
  options.ids_lines = (mode & 3) == 1;
  const TextInput text = (mode & 4) != 0 ? TextInput::title_and_abstract : TextInput::abstract;
  std::istringstream in{std::string(fuzz::as_text(data + 1, size - 1))};
  fuzz::read_or_refuse([&] {
    PredictReader reader(in, "input", formats[mode & 3], options);
    std::vector<PredictInput> inputs;
    for (PredictInput input; reader.next(input);) inputs.push_back(input);
    const size_t max_length = config.max_position_embeddings;
    const EncodedInputs result = encode_inputs(inputs, tokenizer, config, text, max_length);
    // An input with no text is left out (predict answers it empty), and only such an input.
    fuzz::require(result.problems.size() == inputs.size(), "an input was lost");
    const auto left_out = std::count_if(result.problems.begin(), result.problems.end(),
                                        [](const std::string& p) { return !p.empty(); });
    const EncodedExamples& encoded = result.encoded;
    fuzz::require(encoded.size() + left_out == static_cast<int64_t>(inputs.size()),
                  "an input was lost");
    for (size_t i = 0; i < encoded.ids.size(); ++i) {
      fuzz::require(encoded.ids[i] >= 0 && encoded.ids[i] < config.vocab_size,
                    "an id outside the vocabulary");
      if (!encoded.token_types.empty())
        fuzz::require(
            encoded.token_types[i] >= 0 && encoded.token_types[i] < config.type_vocab_size,
            "a token type outside the model's");
      if (!encoded.positions.empty())
        fuzz::require(
            encoded.positions[i] >= 0 && encoded.positions[i] < config.max_position_embeddings,
            "a position outside the model's");
    }
    for (int64_t i = 0; i < encoded.size(); ++i)
      fuzz::require(encoded.length(i) > 0 && encoded.length(i) <= int64_t(max_length),
                    "an example longer than the maximum length");
  });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 1)
