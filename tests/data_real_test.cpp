// The real data set the study runs on (../shared/data/arxiv_data.csv); its facts are those its
// README documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "data/dataset.h"
#include "data/dataset_summary.h"
#include "data/paper_reader.h"
#include "support.h"

namespace greenbert {
namespace {

TEST(RealData, ReadsEveryPaperWithoutAnError) {
  GREENBERT_SHARED_PATH(path, "data/arxiv_data.csv");
  ReadReport report;
  auto papers = read_papers(path, {}, &report);
  EXPECT_EQ(papers.size(), 67487u);
  EXPECT_EQ(report.rows, 67487);
  EXPECT_EQ(report.skipped, 0);

  std::set<std::string> terms;
  int64_t term_count = 0;
  std::vector<int64_t> words;
  for (const auto& paper : papers) {
    terms.insert(paper.terms.begin(), paper.terms.end());
    term_count += static_cast<int64_t>(paper.terms.size());
    words.push_back(count_words(paper.abstract));
  }
  EXPECT_EQ(terms.size(), 156u);
  EXPECT_NEAR(static_cast<double>(term_count) / static_cast<double>(papers.size()), 1.728, 5e-4);
  auto lengths = summarize_lengths(words);
  EXPECT_EQ(lengths.p50, 174);
  EXPECT_EQ(lengths.p90, 232);

  auto dataset = prepare_dataset(std::move(papers), {});
  EXPECT_EQ(dataset.report.duplicates_removed, 0) << "the README says titles are unique";
  const size_t kept = dataset.train.size() + dataset.val.size() + dataset.test.size();
  EXPECT_EQ(static_cast<int64_t>(kept), 67487 - dataset.report.singleton_label_sets);
  EXPECT_NEAR(static_cast<double>(dataset.val.size()), 0.05 * static_cast<double>(kept), 1.0);
  EXPECT_TRUE(dataset.report.unseen_labels.empty());
}

}  // namespace
}  // namespace greenbert
