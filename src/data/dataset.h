#pragma once
// The study's multi-label task built from papers: de-duplicated, rare label-sets dropped,
// split stratified by label-set, labels numbered from the training split.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/label_map.h"
#include "data/paper.h"
#include "data/paper_reader.h"
#include "data/stratified_split.h"

namespace greenbert {

// What the model reads: the abstract alone (the study) or title and abstract as a pair.
enum class TextInput { abstract, title_and_abstract };
std::string_view text_input_name(TextInput text);  // "abstract", "title+abstract"
// The TextInput named `name` (as text_input_name spells it); nullopt for any other name.
std::optional<TextInput> parse_text_input(std::string_view name);

struct PrepareOptions {
  uint64_t seed = 42;
  SplitRatios ratios;
  TextInput text = TextInput::abstract;
};

struct Example {
  std::string title;  // kept apart from the abstract so a tokenizer can encode them as a pair
  std::string abstract;
  std::vector<int32_t> labels;  // ids in the dataset's LabelMap, ascending
  // Terms of this paper that the label map lacks (possible only outside train), sorted; kept
  // so that write_split writes the paper as it was read.
  std::vector<std::string> unseen_terms;

  friend bool operator==(const Example&, const Example&) = default;
};

struct PrepareReport {
  int64_t papers_in = 0;
  int64_t duplicates_removed = 0;    // same normalised title as an earlier paper
  int64_t label_sets = 0;            // distinct label-sets after de-duplication
  int64_t singleton_label_sets = 0;  // label-sets of a single paper: those papers are dropped
  // Labels that occur in val or test but not in train, with how many examples carry each; an
  // example keeps such terms in unseen_terms, not in its label ids.
  std::vector<std::pair<std::string, int64_t>> unseen_labels;
};

struct Dataset {
  LabelMap labels;
  TextInput text = TextInput::abstract;
  std::vector<Example> train, val, test;
  std::vector<ReadReport> reads;  // one per file read (three for a split directory)
  PrepareReport report;           // for a split directory only papers_in and unseen_labels
};

// The preprocessing of the study, deterministic for a seed:
// - de-duplicate by normalised title, keeping the first occurrence;
// - the label-set of a paper is its sorted unique terms; papers whose label-set occurs once are
//   dropped (they can neither be stratified nor learned);
// - split stratified by label-set as described in stratified_split.h; within a label-set the
//   papers are shuffled with the seed before they are dealt out;
// - label ids come from the training split, ordered by frequency there (descending), ties by
//   name, so id 0 is the most common category;
// - each split keeps file order.
// Throws Error when no paper is left.
Dataset prepare_dataset(std::vector<Paper> papers, const PrepareOptions& options);

// The example of `paper` (whose title, abstract and terms are moved out): terms `labels` knows
// become ascending ids, the others sorted unseen_terms; repeated terms count once.
Example make_example(Paper& paper, const LabelMap& labels);

// Lowercase (Unicode simple case mapping) with every run of whitespace made one space and none
// at either end: the key under which two titles are the same paper.
std::string normalise_title(std::string_view title);

// Writes the multi-hot target of `labels` into `row` (one float per label: 1 for a label of
// the example, 0 otherwise).
void multi_hot(std::span<const int32_t> labels, std::span<float> row);

}  // namespace greenbert
