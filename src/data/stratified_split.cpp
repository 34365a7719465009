#include "data/stratified_split.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace greenbert {
namespace {

constexpr int kSplits = 3;

std::array<int64_t, kSplits> integer_weights(const SplitRatios& ratios) {
  const double values[kSplits] = {ratios.train, ratios.val, ratios.test};
  double sum = 0;
  for (double r : values) {
    if (!std::isfinite(r) || r < 0) fail("split ratios must be finite and non-negative");
    sum += r;
  }
  if (!(ratios.train > 0)) fail("the train ratio must be above zero");
  std::array<int64_t, kSplits> weights{};
  for (int k = 0; k < kSplits; ++k) weights[k] = std::llround(values[k] / sum * 1e6);
  if (weights[0] == 0) fail("the train ratio must be above zero");
  return weights;
}

}  // namespace

std::vector<SplitCounts> allocate_stratified(std::span<const int64_t> group_sizes,
                                             const SplitRatios& ratios, SeededRandom& random) {
  const auto w = integer_weights(ratios);
  const int64_t total_weight = w[0] + w[1] + w[2];
  const int64_t n_total = std::accumulate(group_sizes.begin(), group_sizes.end(), int64_t{0});
  const size_t groups = group_sizes.size();

  // Step 2: split totals by largest remainder.
  SplitCounts totals{};
  std::array<int64_t, kSplits> total_remainder{};
  int64_t assigned = 0;
  for (int k = 0; k < kSplits; ++k) {
    totals[k] = n_total * w[k] / total_weight;
    total_remainder[k] = n_total * w[k] % total_weight;
    assigned += totals[k];
  }
  std::array<int, kSplits> by_remainder = {0, 1, 2};
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](int a, int b) { return total_remainder[a] > total_remainder[b]; });
  for (int i = 0; assigned < n_total; ++i, ++assigned) ++totals[by_remainder[i]];

  // Step 3: every group's floors.
  std::vector<SplitCounts> counts(groups);
  std::vector<int64_t> left(groups);
  SplitCounts deficit = totals;
  for (size_t g = 0; g < groups; ++g) {
    left[g] = group_sizes[g];
    for (int k = 0; k < kSplits; ++k) {
      counts[g][k] = group_sizes[g] * w[k] / total_weight;
      left[g] -= counts[g][k];
      deficit[k] -= counts[g][k];
    }
  }

  // Step 4: round up where the remainders are largest.
  std::vector<int64_t> order(groups);
  std::iota(order.begin(), order.end(), int64_t{0});
  seeded_shuffle(std::span(order), random);
  std::vector<int64_t> rank(groups);
  for (size_t i = 0; i < groups; ++i) rank[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
  struct Candidate {
    int64_t remainder;
    int64_t rank;
    int split;
    size_t group;
  };
  std::vector<Candidate> candidates;
  for (size_t g = 0; g < groups; ++g) {
    if (left[g] == 0) continue;
    for (int k = 0; k < kSplits; ++k) {
      int64_t remainder = group_sizes[g] * w[k] % total_weight;
      if (remainder > 0) candidates.push_back({remainder, rank[g], k, g});
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.remainder != b.remainder) return a.remainder > b.remainder;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.split < b.split;
  });
  for (const auto& c : candidates) {
    if (left[c.group] > 0 && deficit[c.split] > 0) {
      ++counts[c.group][c.split];
      --left[c.group];
      --deficit[c.split];
    }
  }

  // Step 5: whatever step 4 could not place.
  for (int64_t g : order) {
    while (left[static_cast<size_t>(g)] > 0) {
      int k = static_cast<int>(std::max_element(deficit.begin(), deficit.end()) - deficit.begin());
      ++counts[static_cast<size_t>(g)][k];
      --left[static_cast<size_t>(g)];
      --deficit[k];
    }
  }
  return counts;
}

SplitRatios parse_split_ratios(std::string_view text) {
  double values[kSplits];
  size_t pos = 0;
  for (int k = 0; k < kSplits; ++k) {
    if (k > 0) {
      if (pos >= text.size() || (text[pos] != ',' && text[pos] != '/' && text[pos] != ':')) {
        fail("split ratios '", text, "': expected three numbers such as 0.9,0.05,0.05");
      }
      ++pos;
    }
    auto [end, error] = std::from_chars(text.data() + pos, text.data() + text.size(), values[k]);
    if (error != std::errc()) {
      fail("split ratios '", text, "': expected three numbers such as 0.9,0.05,0.05");
    }
    pos = static_cast<size_t>(end - text.data());
  }
  if (pos != text.size())
    fail("split ratios '", text, "': expected three numbers such as 0.9,0.05,0.05");
  SplitRatios ratios{values[0], values[1], values[2]};
  integer_weights(ratios);  // validates
  const double sum = values[0] + values[1] + values[2];
  return {values[0] / sum, values[1] / sum, values[2] / sum};
}

}  // namespace greenbert
