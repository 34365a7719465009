#pragma once
// Descriptive statistics of a prepared dataset (all splits together): what the examples carry
// and how long their texts are.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "data/length_stats.h"

namespace greenbert {

struct DatasetSummary {
  int64_t examples = 0;
  // Every category with the number of examples carrying it (unseen-in-train ones included),
  // most frequent first, ties by name.
  std::vector<std::pair<std::string, int64_t>> label_counts;
  double label_cardinality = 0;  // mean number of categories per example
  int64_t label_sets = 0;        // distinct label-sets among the examples
  // Of the model's input text (the abstract, or title and abstract together).
  LengthSummary words;
  LengthSummary characters;  // Unicode code points
};

DatasetSummary summarize_dataset(const Dataset& dataset);

// Whitespace-separated words, as Python's str.split() counts them for ASCII whitespace.
int64_t count_words(std::string_view text);

}  // namespace greenbert
