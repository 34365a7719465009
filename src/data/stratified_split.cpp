#include "data/stratified_split.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>

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

// The papers still to place, one per (group, split) at most, and the places left in each
// split. All of them can be placed exactly when, for every set T of splits, the places left in
// T are at most what the groups can still put into T: sum over groups of min(papers left,
// open splits in T) (Hall's condition for this transport problem). With three splits that is
// seven inequalities, kept up to date as papers are placed.
class Placement {
 public:
  explicit Placement(const SplitCounts& places) {
    for (unsigned t = 1; t < kSets; ++t) {
      for (int k = 0; k < kSplits; ++k) {
        if (t >> k & 1) need_[t] += places[k];
      }
    }
  }

  void add_group(int64_t left, unsigned open) {
    for (unsigned t = 1; t < kSets; ++t) capacity_[t] += supply(left, open, t);
  }

  // Places one paper of a group (with `left` papers and `open` splits) into `split` if the
  // split has room and everything left can still be placed afterwards; updates left and open.
  bool try_place(int64_t& left, unsigned& open, int split) {
    const unsigned bit = 1u << split;
    if (!(open & bit)) return false;
    std::array<int64_t, kSets> need = need_, capacity = capacity_;
    for (unsigned t = 1; t < kSets; ++t) {
      if (t & bit) --need[t];
      capacity[t] += supply(left - 1, open & ~bit, t) - supply(left, open, t);
      if (need[t] < 0 || need[t] > capacity[t]) return false;
    }
    need_ = need;
    capacity_ = capacity;
    --left;
    open &= ~bit;
    return true;
  }

 private:
  static constexpr unsigned kSets = 1u << kSplits;
  static int64_t supply(int64_t left, unsigned open, unsigned t) {
    return std::min<int64_t>(left, std::popcount(open & t));
  }
  std::array<int64_t, kSets> need_{};
  std::array<int64_t, kSets> capacity_{};
};

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

  // Step 4: round up where the remainders are largest, never making a choice after which the
  // remaining papers could not all be placed.
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
  std::vector<unsigned> open(groups, 0);  // per group, the splits it may still round up
  for (size_t g = 0; g < groups; ++g) {
    if (left[g] == 0) continue;
    for (int k = 0; k < kSplits; ++k) {
      int64_t remainder = group_sizes[g] * w[k] % total_weight;
      if (remainder == 0) continue;
      candidates.push_back({remainder, rank[g], k, g});
      open[g] |= 1u << k;
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.remainder != b.remainder) return a.remainder > b.remainder;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.split < b.split;
  });
  Placement placement(deficit);
  for (size_t g = 0; g < groups; ++g) placement.add_group(left[g], open[g]);
  for (const auto& c : candidates) {
    if (left[c.group] > 0 && placement.try_place(left[c.group], open[c.group], c.split)) {
      ++counts[c.group][c.split];
    }
  }
  for (size_t g = 0; g < groups; ++g) {
    if (left[g] != 0) throw std::logic_error("allocate_stratified: a paper was left unplaced");
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
