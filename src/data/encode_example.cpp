#include "data/encode_example.h"

#include <limits>

namespace greenbert {

Encoding encode_example(const BertTokenizer& tokenizer, const Example& example, TextInput text,
                        size_t max_length) {
  return text == TextInput::title_and_abstract
             ? tokenizer.encode_pair(example.title, example.abstract, max_length)
             : tokenizer.encode(example.abstract, max_length);
}

std::vector<int64_t> token_lengths(const BertTokenizer& tokenizer,
                                   std::span<const Example> examples, TextInput text) {
  std::vector<int64_t> lengths(examples.size());
  const auto n = static_cast<int64_t>(examples.size());
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t i = 0; i < n; ++i) {
    lengths[static_cast<size_t>(i)] =
        static_cast<int64_t>(encode_example(tokenizer, examples[static_cast<size_t>(i)], text,
                                            std::numeric_limits<size_t>::max())
                                 .input_ids.size());
  }
  return lengths;
}

}  // namespace greenbert
