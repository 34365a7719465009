#include "data/encode_example.h"

#include <limits>
#include <vector>

namespace greenbert {

Encoding encode_example(const BertTokenizer& tokenizer, const Example& example, TextInput text,
                        size_t max_length, bool* abstract_empty) {
  thread_local std::vector<int32_t> title_ids, abstract_ids;
  abstract_ids.clear();
  tokenizer.tokenize(example.abstract, abstract_ids);
  if (abstract_empty) *abstract_empty = abstract_ids.empty();
  if (text != TextInput::title_and_abstract) return tokenizer.encode_ids(abstract_ids, max_length);
  title_ids.clear();
  tokenizer.tokenize(example.title, title_ids);
  return tokenizer.encode_pair_ids(title_ids, abstract_ids, max_length);
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
