#include "data/dataset.h"

#include <utf8proc.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "data/ascii_space.h"
#include "data/seeded_random.h"

namespace greenbert {
namespace {

enum Split : uint8_t { kTrain, kVal, kTest };

// Sorted unique terms joined by spaces (terms never contain one); sorts `terms` in place.
std::string label_set_key(std::vector<std::string>& terms) {
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  std::string key;
  for (const auto& term : terms) {
    if (!key.empty()) key += ' ';
    key += term;
  }
  return key;
}

// Removes papers whose normalised title came earlier; returns how many.
int64_t remove_duplicate_titles(std::vector<Paper>& papers) {
  std::unordered_set<std::string> seen;
  seen.reserve(papers.size());
  size_t kept = 0;
  for (size_t i = 0; i < papers.size(); ++i) {
    if (!seen.insert(normalise_title(papers[i].title)).second) continue;
    if (kept != i) papers[kept] = std::move(papers[i]);
    ++kept;
  }
  auto removed = static_cast<int64_t>(papers.size() - kept);
  papers.erase(papers.begin() + static_cast<std::ptrdiff_t>(kept), papers.end());
  return removed;
}

// Label ids from the training papers: frequency there, descending, then name.
LabelMap build_label_map(const std::vector<Paper>& papers, const std::vector<uint8_t>& split) {
  std::unordered_map<std::string_view, int64_t> frequency;
  for (size_t i = 0; i < papers.size(); ++i) {
    if (split[i] != kTrain) continue;
    for (const auto& term : papers[i].terms) ++frequency[term];
  }
  std::vector<std::pair<std::string_view, int64_t>> sorted(frequency.begin(), frequency.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::string> names;
  names.reserve(sorted.size());
  for (const auto& [name, count] : sorted) names.emplace_back(name);
  return LabelMap(std::move(names));
}

}  // namespace

std::string_view text_input_name(TextInput text) {
  return text == TextInput::abstract ? "abstract" : "title+abstract";
}

std::optional<TextInput> parse_text_input(std::string_view name) {
  for (TextInput text : {TextInput::abstract, TextInput::title_and_abstract})
    if (name == text_input_name(text)) return text;
  return std::nullopt;
}

std::string normalise_title(std::string_view title) {
  std::string out;
  out.reserve(title.size());
  bool space_pending = false;
  auto append = [&](std::string_view piece) {
    if (space_pending && !out.empty()) out += ' ';
    space_pending = false;
    out += piece;
  };
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(title.data());
  size_t i = 0;
  while (i < title.size()) {
    unsigned char c = bytes[i];
    if (c < 0x80) {
      if (is_ascii_space(static_cast<char>(c))) {
        space_pending = true;
      } else {
        char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        append(std::string_view(&lower, 1));
      }
      ++i;
      continue;
    }
    utf8proc_int32_t code_point;
    auto length =
        utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(title.size() - i), &code_point);
    if (length <= 0) {  // not UTF-8 (readers reject such text): keep the byte
      append(title.substr(i, 1));
      ++i;
      continue;
    }
    i += static_cast<size_t>(length);
    if (utf8proc_category(code_point) == UTF8PROC_CATEGORY_ZS) {
      space_pending = true;
      continue;
    }
    utf8proc_uint8_t encoded[4];
    auto size = utf8proc_encode_char(utf8proc_tolower(code_point), encoded);
    append(std::string_view(reinterpret_cast<const char*>(encoded), static_cast<size_t>(size)));
  }
  return out;
}

Example make_example(Paper& paper, const LabelMap& labels) {
  Example example{std::move(paper.title), std::move(paper.abstract), {}, {}};
  std::sort(paper.terms.begin(), paper.terms.end());
  paper.terms.erase(std::unique(paper.terms.begin(), paper.terms.end()), paper.terms.end());
  for (auto& term : paper.terms) {
    const int32_t id = labels.find(term);
    if (id >= 0) {
      example.labels.push_back(id);
    } else {
      example.unseen_terms.push_back(std::move(term));
    }
  }
  std::sort(example.labels.begin(), example.labels.end());
  return example;
}

void multi_hot(std::span<const int32_t> labels, std::span<float> row) {
  std::fill(row.begin(), row.end(), 0.0f);
  for (int32_t id : labels) {
    if (id < 0 || static_cast<size_t>(id) >= row.size()) {
      fail("label id ", id, " is outside the ", row.size(), " labels");
    }
    row[static_cast<size_t>(id)] = 1.0f;
  }
}

Dataset prepare_dataset(std::vector<Paper> papers, const PrepareOptions& options) {
  Dataset dataset;
  dataset.text = options.text;
  PrepareReport& report = dataset.report;
  report.papers_in = static_cast<int64_t>(papers.size());
  report.duplicates_removed = remove_duplicate_titles(papers);

  // Group papers by label-set, numbering label-sets by first occurrence.
  std::unordered_map<std::string, int32_t> group_of_key;
  group_of_key.reserve(papers.size());
  std::vector<int32_t> group(papers.size());
  std::vector<int64_t> group_size;
  for (size_t i = 0; i < papers.size(); ++i) {
    auto [it, added] = group_of_key.try_emplace(label_set_key(papers[i].terms),
                                                static_cast<int32_t>(group_size.size()));
    if (added) group_size.push_back(0);
    group[i] = it->second;
    ++group_size[static_cast<size_t>(it->second)];
  }
  report.label_sets = static_cast<int64_t>(group_size.size());
  report.singleton_label_sets = std::count(group_size.begin(), group_size.end(), 1);
  if (report.label_sets == report.singleton_label_sets) {
    fail("no papers left to split: ", report.papers_in, " read, ", report.duplicates_removed,
         " duplicates, ", report.singleton_label_sets, " in label-sets of one paper");
  }

  // Members of each group in file order, as one flat array (a counting sort by group).
  std::vector<int64_t> offset(group_size.size() + 1, 0);
  for (size_t g = 0; g < group_size.size(); ++g) offset[g + 1] = offset[g] + group_size[g];
  std::vector<int64_t> members(papers.size());
  {
    std::vector<int64_t> fill(offset.begin(), offset.end() - 1);
    for (size_t i = 0; i < papers.size(); ++i)
      members[static_cast<size_t>(fill[static_cast<size_t>(group[i])]++)] = static_cast<int64_t>(i);
  }

  // Singleton groups take no part in the split: size 0 gives them nothing.
  std::vector<int64_t> split_size(group_size);
  for (auto& size : split_size) size = size == 1 ? 0 : size;
  SeededRandom random(options.seed);
  const auto counts = allocate_stratified(split_size, options.ratios, random);
  constexpr uint8_t kDropped = 255;
  std::vector<uint8_t> split(papers.size(), kDropped);
  for (size_t g = 0; g < group_size.size(); ++g) {
    if (split_size[g] == 0) continue;
    std::span<int64_t> group_members(members.data() + offset[g],
                                     static_cast<size_t>(group_size[g]));
    seeded_shuffle(group_members, random);
    size_t next = 0;
    for (uint8_t k = kTrain; k <= kTest; ++k) {
      for (int64_t c = 0; c < counts[g][k]; ++c)
        split[static_cast<size_t>(group_members[next++])] = k;
    }
  }

  dataset.labels = build_label_map(papers, split);
  std::unordered_map<std::string, int64_t> unseen;
  std::vector<Example>* destination[3] = {&dataset.train, &dataset.val, &dataset.test};
  for (uint8_t k = kTrain; k <= kTest; ++k) {
    destination[k]->reserve(static_cast<size_t>(std::count(split.begin(), split.end(), k)));
  }
  for (size_t i = 0; i < papers.size(); ++i) {
    if (split[i] == kDropped) continue;
    Example example = make_example(papers[i], dataset.labels);
    for (const auto& term : example.unseen_terms) ++unseen[term];
    destination[split[i]]->push_back(std::move(example));
  }
  report.unseen_labels.assign(unseen.begin(), unseen.end());
  std::sort(report.unseen_labels.begin(), report.unseen_labels.end());
  return dataset;
}

}  // namespace greenbert
