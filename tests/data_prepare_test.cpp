#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "data/stratified_split.h"

namespace greenbert {
namespace {

using Terms = std::vector<std::string>;

// `count` papers with unique titles ("paper N") spread over label-sets of very different sizes
// (Zipf-like, including many of one and two papers), as real arXiv data is.
std::vector<Paper> synthetic_papers(int count, uint64_t seed) {
  const Terms pool = {"cs.CV",   "cs.LG",   "cs.AI",    "cs.CL",
                      "stat.ML", "math.OC", "quant-ph", "hep-th"};
  SeededRandom random(seed);
  std::vector<Paper> papers;
  for (int i = 0; i < count; ++i) {
    // Label-set number r is drawn with probability ~ 1/(r+1).
    uint64_t r = random.below(64);
    r = r * r / 64;
    Terms terms;
    for (size_t bit = 0; bit < pool.size(); ++bit) {
      if ((r + 1) >> bit & 1) terms.push_back(pool[bit]);
    }
    std::reverse(terms.begin(), terms.end());  // written order is not sorted
    papers.push_back({"paper " + std::to_string(i), "abstract " + std::to_string(i), terms, i + 2});
  }
  return papers;
}

std::string key_of(Terms terms) {
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  std::string key;
  for (const auto& t : terms) key += t + " ";
  return key;
}

Terms terms_of(const Example& example, const LabelMap& labels) {
  Terms terms = example.unseen_terms;
  for (int32_t id : example.labels) terms.push_back(labels.name(id));
  return terms;
}

TEST(AllocateStratified, TotalsAreExactAndEveryGroupRoundsItsShare) {
  SeededRandom sizes_random(1);
  for (SplitRatios ratios :
       {SplitRatios{}, SplitRatios{0.8, 0.1, 0.1}, SplitRatios{0.7, 0.2, 0.1}, SplitRatios{1, 0, 0},
        SplitRatios{0.5, 0.5, 0}, SplitRatios{0.34, 0.33, 0.33}}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<int64_t> sizes;
      for (int g = 0; g < 300; ++g) sizes.push_back(static_cast<int64_t>(sizes_random.below(40)));
      SeededRandom random(static_cast<uint64_t>(trial));
      auto counts = allocate_stratified(sizes, ratios, random);
      ASSERT_EQ(counts.size(), sizes.size());
      const double r[3] = {ratios.train, ratios.val, ratios.test};
      const double sum = r[0] + r[1] + r[2];
      SplitCounts totals{};
      int64_t n = 0;
      for (size_t g = 0; g < sizes.size(); ++g) {
        EXPECT_EQ(counts[g][0] + counts[g][1] + counts[g][2], sizes[g]);
        for (int k = 0; k < 3; ++k) {
          const double ideal = static_cast<double>(sizes[g]) * r[k] / sum;
          EXPECT_LT(std::abs(static_cast<double>(counts[g][k]) - ideal), 1.0)
              << "group " << g << " of " << sizes[g] << ", split " << k;
          totals[k] += counts[g][k];
        }
        n += sizes[g];
      }
      for (int k = 0; k < 3; ++k) {
        EXPECT_LT(std::abs(static_cast<double>(totals[k]) - static_cast<double>(n) * r[k] / sum),
                  1.0)
            << "split " << k;
      }
    }
  }
}

// Few small groups and uneven ratios are where a plain largest-remainder-first greedy gets
// stuck and must break a group's rounding to make the totals exact.
TEST(AllocateStratified, SmallGroupsAndOddRatiosStillRoundEveryShare) {
  SeededRandom random(2);
  for (int trial = 0; trial < 3000; ++trial) {
    // Percentages, so the ratios are exact in the allocation's parts per million.
    const int64_t train = 1 + static_cast<int64_t>(random.below(98));
    const int64_t val = static_cast<int64_t>(random.below(static_cast<uint64_t>(100 - train)));
    const int64_t percent[3] = {train, val, 100 - train - val};
    std::vector<int64_t> sizes;
    for (size_t g = 1 + random.below(8); g > 0; --g)
      sizes.push_back(static_cast<int64_t>(random.below(12)));
    auto counts = allocate_stratified(
        sizes, {percent[0] / 100.0, percent[1] / 100.0, percent[2] / 100.0}, random);
    int64_t n = 0;
    SplitCounts totals{};
    for (size_t g = 0; g < sizes.size(); ++g) {
      n += sizes[g];
      for (int k = 0; k < 3; ++k) {
        // |100 count - size percent| < 100, in integers.
        EXPECT_LT(std::abs(100 * counts[g][k] - sizes[g] * percent[k]), 100)
            << "trial " << trial << ": group of " << sizes[g] << ", split " << k;
        totals[k] += counts[g][k];
      }
    }
    for (int k = 0; k < 3; ++k) EXPECT_LT(std::abs(100 * totals[k] - n * percent[k]), 100);
  }
}

TEST(AllocateStratified, SameSeedSameCountsOtherSeedOtherCounts) {
  std::vector<int64_t> sizes(500, 2);  // each pair's second paper goes to val or test by chance
  SeededRandom a(5), b(5), c(6);
  auto first = allocate_stratified(sizes, {}, a);
  EXPECT_EQ(first, allocate_stratified(sizes, {}, b));
  EXPECT_NE(first, allocate_stratified(sizes, {}, c));
}

TEST(AllocateStratified, RefusesRatiosThatGiveTrainNothing) {
  std::vector<int64_t> sizes = {4};
  SeededRandom random(1);
  EXPECT_THROW(allocate_stratified(sizes, {0, 0.5, 0.5}, random), Error);
  EXPECT_THROW(allocate_stratified(sizes, {-1, 1, 1}, random), Error);
  EXPECT_THROW(allocate_stratified(sizes, {NAN, 1, 1}, random), Error);
}

TEST(SplitRatios, ParsesFractionsAndParts) {
  auto near = [](SplitRatios r, double a, double b, double c) {
    return std::abs(r.train - a) < 1e-12 && std::abs(r.val - b) < 1e-12 &&
           std::abs(r.test - c) < 1e-12;
  };
  EXPECT_TRUE(near(parse_split_ratios("0.9,0.05,0.05"), 0.9, 0.05, 0.05));
  EXPECT_TRUE(near(parse_split_ratios("90/5/5"), 0.9, 0.05, 0.05));
  EXPECT_TRUE(near(parse_split_ratios("8:1:1"), 0.8, 0.1, 0.1));
  EXPECT_TRUE(near(parse_split_ratios("1,0,0"), 1, 0, 0));
  for (const char* bad : {"0.9,0.1", "a,b,c", "-1,1,1", "0,1,1", "1,1,1,1", "1,1,1 ", ""}) {
    EXPECT_THROW(parse_split_ratios(bad), Error) << bad;
  }
}

TEST(NormaliseTitle, LowercasesAndCollapsesWhitespace) {
  EXPECT_EQ(normalise_title("  Deep\tLearning \n for  EVERYONE "), "deep learning for everyone");
  EXPECT_EQ(normalise_title("\xC3\x89TUDE\xC2\xA0\xCE\xA3\xCE\xA9"),
            "\xC3\xA9tude \xCF\x83\xCF\x89")
      << "Unicode letters are lowered and no-break spaces are spaces";
  EXPECT_EQ(normalise_title(""), "");
}

TEST(PrepareDataset, RemovesDuplicateTitlesKeepingTheFirst) {
  std::vector<Paper> papers = {
      {"Deep Learning", "first", {"cs.LG"}, 2},
      {"deep  learning", "second", {"cs.LG"}, 3},
      {"Other", "x", {"cs.LG"}, 4},
      {" DEEP LEARNING\t", "third", {"cs.CV"}, 5},
      {"Another", "y", {"cs.LG"}, 6},
  };
  auto dataset = prepare_dataset(papers, {});
  EXPECT_EQ(dataset.report.papers_in, 5);
  EXPECT_EQ(dataset.report.duplicates_removed, 2);
  std::vector<std::string> abstracts;
  for (const auto* split : {&dataset.train, &dataset.val, &dataset.test}) {
    for (const auto& e : *split) abstracts.push_back(e.abstract);
  }
  std::sort(abstracts.begin(), abstracts.end());
  EXPECT_EQ(abstracts, (std::vector<std::string>{"first", "x", "y"}));
}

TEST(PrepareDataset, DropsLabelSetsOfOnePaper) {
  std::vector<Paper> papers = {
      {"a", "a", {"cs.LG", "cs.CV"}, 2}, {"b", "b", {"cs.CV", "cs.LG", "cs.CV"}, 3},  // same set
      {"c", "c", {"cs.AI"}, 4},          {"d", "d", {"cs.CV"}, 5},
      {"e", "e", {"cs.CV"}, 6},
  };
  auto dataset = prepare_dataset(papers, {});
  EXPECT_EQ(dataset.report.label_sets, 3);
  EXPECT_EQ(dataset.report.singleton_label_sets, 1);
  EXPECT_EQ(dataset.train.size() + dataset.val.size() + dataset.test.size(), 4u);
  EXPECT_EQ(dataset.labels.find("cs.AI"), -1);
}

TEST(PrepareDataset, EveryLabelSetIsSplitInProportion) {
  auto papers = synthetic_papers(20000, 3);
  std::map<std::string, int64_t> group_size;
  for (const auto& p : papers) ++group_size[key_of(p.terms)];
  PrepareOptions options;
  options.ratios = {0.8, 0.1, 0.1};
  auto dataset = prepare_dataset(papers, options);
  std::map<std::string, SplitCounts> counts;
  const std::vector<Example>* splits[3] = {&dataset.train, &dataset.val, &dataset.test};
  for (int k = 0; k < 3; ++k) {
    for (const auto& e : *splits[k]) ++counts[key_of(terms_of(e, dataset.labels))][k];
  }
  const double r[3] = {0.8, 0.1, 0.1};
  int64_t kept = 0;
  for (const auto& [key, size] : group_size) {
    if (size == 1) {
      EXPECT_EQ(counts.count(key), 0u) << key;
      continue;
    }
    kept += size;
    for (int k = 0; k < 3; ++k) {
      EXPECT_LT(std::abs(static_cast<double>(counts[key][k]) - static_cast<double>(size) * r[k]),
                1.0)
          << "label-set " << key << " of " << size << " papers, split " << k;
    }
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_LT(std::abs(static_cast<double>(splits[k]->size()) - static_cast<double>(kept) * r[k]),
              1.0);
  }
}

TEST(PrepareDataset, NoTitleInTwoSplitsAndEachSplitInFileOrder) {
  auto papers = synthetic_papers(3000, 4);
  papers.push_back({"PAPER 7", "a duplicate title", {"cs.CV"}, 9999});
  auto dataset = prepare_dataset(papers, {});
  std::set<std::string> seen;
  for (const auto* split : {&dataset.train, &dataset.val, &dataset.test}) {
    int previous = -1;
    for (const auto& e : *split) {
      EXPECT_TRUE(seen.insert(normalise_title(e.title)).second) << e.title;
      int number = std::stoi(e.title.substr(6));
      EXPECT_GT(number, previous) << "file order";
      previous = number;
    }
  }
  EXPECT_EQ(dataset.report.duplicates_removed, 1);
}

TEST(PrepareDataset, LabelIdsComeFromTrainByFrequencyThenName) {
  auto dataset = prepare_dataset(synthetic_papers(5000, 5), {});
  std::map<std::string, int64_t> frequency;
  for (const auto& e : dataset.train) {
    for (int32_t id : e.labels) ++frequency[dataset.labels.name(id)];
    EXPECT_TRUE(e.unseen_terms.empty());
    EXPECT_TRUE(std::is_sorted(e.labels.begin(), e.labels.end()));
  }
  std::vector<std::pair<std::string, int64_t>> expected(frequency.begin(), frequency.end());
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  ASSERT_EQ(static_cast<size_t>(dataset.labels.size()), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(dataset.labels.name(static_cast<int32_t>(i)), expected[i].first);
  }
}

TEST(PrepareDataset, LabelsOnlyOutsideTrainAreCountedNotLost) {
  // With a train share under one half, a label-set of two papers may put none in train: three
  // such pairs compete for two places in train left over by the large label-set.
  std::vector<Paper> papers;
  for (int i = 0; i < 40; ++i) papers.push_back({cat("c", i), "a", {"cs.CV"}, i});
  const Terms rare = {"rare.A", "rare.B", "rare.C"};
  for (int i = 0; i < 6; ++i) papers.push_back({cat("r", i), "a", {"cs.CV", rare[i / 2]}, 100 + i});
  PrepareOptions options;
  options.ratios = {0.4, 0.3, 0.3};
  auto dataset = prepare_dataset(papers, options);
  std::map<std::string, int64_t> unseen;
  for (const auto* split : {&dataset.val, &dataset.test}) {
    for (const auto& e : *split) {
      for (const auto& t : e.unseen_terms) ++unseen[t];
    }
  }
  ASSERT_EQ(unseen.size(), 1u);
  const auto& [name, count] = *unseen.begin();
  EXPECT_EQ(dataset.labels.find(name), -1);
  EXPECT_EQ(count, 2);
  ASSERT_EQ(dataset.report.unseen_labels.size(), 1u);
  EXPECT_EQ(dataset.report.unseen_labels[0], (std::pair<std::string, int64_t>{name, 2}));
}

TEST(PrepareDataset, SameSeedSameSplitOtherSeedOtherSplit) {
  auto papers = synthetic_papers(4000, 6);
  PrepareOptions options;
  options.seed = 11;
  auto a = prepare_dataset(papers, options);
  auto b = prepare_dataset(papers, options);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.val, b.val);
  EXPECT_EQ(a.test, b.test);
  options.seed = 12;
  auto c = prepare_dataset(papers, options);
  EXPECT_EQ(a.train.size(), c.train.size());
  EXPECT_NE(a.val, c.val);
}

TEST(PrepareDataset, FailsWhenNothingIsLeft) {
  EXPECT_THROW(prepare_dataset({}, {}), Error);
  std::vector<Paper> singletons = {{"a", "a", {"x"}, 2}, {"b", "b", {"y"}, 3}};
  EXPECT_THROW(prepare_dataset(singletons, {}), Error);
}

TEST(MultiHot, SetsOnesAtTheLabelIds) {
  std::vector<float> row(5, 7.0f);
  std::vector<int32_t> labels = {0, 3};
  multi_hot(labels, row);
  EXPECT_EQ(row, (std::vector<float>{1, 0, 0, 1, 0}));
  std::vector<int32_t> outside = {5};
  EXPECT_THROW(multi_hot(outside, row), Error);
}

}  // namespace
}  // namespace greenbert
