#include "data/dataset_summary.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "data/ascii_space.h"
#include "data/utf8_check.h"

namespace greenbert {

int64_t count_words(std::string_view text) {
  int64_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = is_ascii_space(c);
    words += !space && !in_word;
    in_word = !space;
  }
  return words;
}

DatasetSummary summarize_dataset(const Dataset& dataset) {
  DatasetSummary summary;
  std::unordered_map<std::string, int64_t> counts;
  std::unordered_set<std::string> label_sets;
  std::vector<int64_t> words, characters;
  int64_t labels_total = 0;
  const bool with_title = dataset.text == TextInput::title_and_abstract;
  std::vector<std::string> names;
  for (const auto* split : {&dataset.train, &dataset.val, &dataset.test}) {
    for (const auto& example : *split) {
      names.clear();
      for (int32_t id : example.labels) names.push_back(dataset.labels.name(id));
      names.insert(names.end(), example.unseen_terms.begin(), example.unseen_terms.end());
      std::sort(names.begin(), names.end());
      std::string key;
      for (const auto& name : names) {
        ++counts[name];
        key += name;
        key += ' ';
      }
      label_sets.insert(std::move(key));
      labels_total += static_cast<int64_t>(names.size());
      words.push_back(count_words(example.abstract) +
                      (with_title ? count_words(example.title) : 0));
      characters.push_back(
          static_cast<int64_t>(count_code_points(example.abstract) +
                               (with_title ? count_code_points(example.title) : 0)));
    }
  }
  summary.examples = static_cast<int64_t>(words.size());
  summary.label_counts.assign(counts.begin(), counts.end());
  std::sort(summary.label_counts.begin(), summary.label_counts.end(),
            [](const auto& a, const auto& b) {
              return a.second != b.second ? a.second > b.second : a.first < b.first;
            });
  summary.label_cardinality =
      summary.examples ? static_cast<double>(labels_total) / static_cast<double>(summary.examples)
                       : 0;
  summary.label_sets = static_cast<int64_t>(label_sets.size());
  summary.words = summarize_lengths(std::move(words));
  summary.characters = summarize_lengths(std::move(characters));
  return summary;
}

}  // namespace greenbert
