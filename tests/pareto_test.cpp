// The Pareto frontier of lifetime energy against micro-F1 (report/study_figures.h) against a
// naive reference that tries every pair: hand-made points with ties, dominated points, a
// configuration that learned only the label priors and one without its figures, then many small
// random sets drawn from a coarse grid so that ties are common.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "core/error.h"
#include "report/study_figures.h"

namespace greenbert {
namespace {

ConfigFigures point(const std::string& model, std::optional<double> kwh, std::optional<double> f1,
                    bool priors_only = false) {
  ConfigFigures c;
  c.model = model;
  c.lifetime_kwh = kwh;
  c.micro_f1 = f1;
  // The label-priors check reads the predictions' modal share; the intervals play no part.
  c.predictions = PredictionSummary{{}, {}, priors_only ? 1.0 : 0.1};
  return c;
}

// Every pair compared: on the frontier when no other eligible configuration is at least as good
// in both figures and better in one. Ordered by energy, then study order.
std::vector<size_t> naive_frontier(const std::vector<ConfigFigures>& configs) {
  auto eligible = [&](size_t i) {
    return configs[i].micro_f1 && configs[i].lifetime_kwh && !configs[i].priors_only();
  };
  std::vector<size_t> frontier;
  for (size_t i = 0; i < configs.size(); ++i) {
    if (!eligible(i)) continue;
    bool dominated = false;
    for (size_t j = 0; j < configs.size(); ++j) {
      if (j == i || !eligible(j)) continue;
      const double ei = *configs[i].lifetime_kwh, ej = *configs[j].lifetime_kwh;
      const double fi = *configs[i].micro_f1, fj = *configs[j].micro_f1;
      dominated = dominated || (ej <= ei && fj >= fi && (ej < ei || fj > fi));
    }
    if (!dominated) frontier.push_back(i);
  }
  std::stable_sort(frontier.begin(), frontier.end(), [&](size_t a, size_t b) {
    return *configs[a].lifetime_kwh < *configs[b].lifetime_kwh;
  });
  return frontier;
}

TEST(ParetoFrontier, HandMadePointsFromTheCheapestToTheMostAccurate) {
  const std::vector<ConfigFigures> configs{
      point("a", 1.0, 0.50),           // 0 the cheapest
      point("b", 2.0, 0.40),           // 1 dominated by a: dearer and worse
      point("c", 2.0, 0.60),           // 2 on it
      point("d", 2.0, 0.60),           // 3 the same figures as c: on it too
      point("e", 3.0, 0.60),           // 4 c's micro-F1 at a higher energy: dominated
      point("f", 1.0, 0.45),           // 5 a's energy at a lower micro-F1: dominated
      point("g", 5.0, 0.70),           // 6 the most accurate
      point("h", 0.5, 0.99, true),     // 7 learned the priors: left off, dominates nothing
      point("i", std::nullopt, 0.95),  // 8 no lifetime energy: not placed
      point("j", 4.0, std::nullopt),   // 9 not evaluated: not placed
      point("k", 4.5, 0.65),           // 10 between c and g: on it
      point("l", 0.5, 0.10),           // 11 the cheapest of all: on it however poor
  };
  const std::vector<size_t> expected{11, 0, 2, 3, 10, 6};
  EXPECT_EQ(pareto_frontier(configs), expected);
  EXPECT_EQ(naive_frontier(configs), expected);
}

TEST(ParetoFrontier, ALabelPriorsConfigurationWithTheBestF1IsLeftOff) {
  const std::vector<ConfigFigures> configs{point("priors", 1.0, 0.9, true), point("x", 2.0, 0.5),
                                           point("y", 3.0, 0.4)};
  EXPECT_EQ(pareto_frontier(configs), (std::vector<size_t>{1}));
}

TEST(ParetoFrontier, ASingleConfigurationIsItsOwnFrontier) {
  EXPECT_EQ(pareto_frontier({point("only", 0.2, 0.3)}), (std::vector<size_t>{0}));
  EXPECT_TRUE(pareto_frontier({point("priors", 0.2, 0.3, true)}).empty());
  EXPECT_TRUE(pareto_frontier({point("unmeasured", std::nullopt, 0.3)}).empty());
  EXPECT_TRUE(pareto_frontier({}).empty());
}

TEST(ParetoFrontier, MatchesTheNaiveReferenceOnRandomSetsWithTies) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> grid(0, 4), size(1, 9), priors(0, 5);
  size_t longest = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<ConfigFigures> configs;
    const int n = size(random);
    for (int i = 0; i < n; ++i)
      configs.push_back(
          point(cat("c", i), 0.1 * grid(random), 0.2 * grid(random), priors(random) == 0));
    const auto frontier = pareto_frontier(configs);
    ASSERT_EQ(frontier, naive_frontier(configs)) << "trial " << trial;
    longest = std::max(longest, frontier.size());
  }
  EXPECT_GE(longest, 4u) << "the random sets should make long frontiers too";
}

}  // namespace
}  // namespace greenbert
