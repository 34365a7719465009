// Bootstrap intervals and the label-priors check (report/paper_predictions.h).
#include <gtest/gtest.h>

#include "core/error.h"
#include "report/paper_predictions.h"

namespace greenbert {
namespace {

// n papers with one true label each (i % 4); the model gets a paper right when i % 10 < hits.
PaperPredictions papers(int n, int hits) {
  PaperPredictions p;
  for (int i = 0; i < n; ++i) {
    p.truth.push_back({i % 4});
    p.predicted.push_back({i % 10 < hits ? i % 4 : (i + 1) % 4});
  }
  return p;
}

TEST(PaperPredictions, IntervalSurroundsTheF1AndNarrowsWithMorePapers) {
  // 7 of 10 right, one label each: tp 7, fp 3, fn 3 per 10 papers, micro-F1 0.7.
  const auto small = *summarize_predictions(papers(100, 7), 4);
  const auto large = *summarize_predictions(papers(2500, 7), 4);
  for (const auto& s : {small, large}) {
    EXPECT_LT(s.micro_f1.low, 0.7);
    EXPECT_GT(s.micro_f1.high, 0.7);
    EXPECT_LE(s.macro_f1.low, s.macro_f1.high);
  }
  // The standard error shrinks as 1/sqrt(n): 25 times the papers, about a fifth of the width.
  const double ratio =
      (large.micro_f1.high - large.micro_f1.low) / (small.micro_f1.high - small.micro_f1.low);
  EXPECT_GT(ratio, 0.12);
  EXPECT_LT(ratio, 0.3);
  EXPECT_TRUE(small.micro_f1.overlaps(large.micro_f1));
  const auto worse = *summarize_predictions(papers(2500, 5), 4);
  EXPECT_TRUE(worse.micro_f1.below(large.micro_f1));
  EXPECT_FALSE(worse.micro_f1.overlaps(large.micro_f1));
}

TEST(PaperPredictions, FlagsTheSameLabelsForEveryPaper) {
  PaperPredictions p = papers(100, 7);
  EXPECT_FALSE(summarize_predictions(p, 4)->priors_only());
  for (auto& predicted : p.predicted) predicted = {2, 0};
  p.predicted[0] = {1};  // 99 % the same set, in any order
  p.predicted[1] = {0, 2};
  const auto s = *summarize_predictions(p, 4);
  EXPECT_DOUBLE_EQ(s.modal_share, 0.99);
  EXPECT_TRUE(s.priors_only());
  EXPECT_FALSE(summarize_predictions({}, 4).has_value());
  p.predicted[0] = {7};
  EXPECT_THROW(summarize_predictions(p, 4), Error);
}

}  // namespace
}  // namespace greenbert
