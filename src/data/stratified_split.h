#pragma once
// How many members of each group (label-set) go to train, validation and test, so that every
// group is split in the requested proportions as closely as whole papers allow and the split
// sizes are exact.
//
// The allocation, step by step:
// 1. The ratios become integer weights w (parts per million of their sum): all that follows is
//    exact integer arithmetic.
// 2. Split totals: with N papers in all, split k gets floor(N w_k / W), and the papers left go
//    one each to the splits with the largest remainders (ties: train, val, test) - the
//    largest-remainder method, so the totals are the closest integers to the proportions.
// 3. Each group of n papers first gets floor(n w_k / W) for every split.
// 4. A group's remaining papers (fewer than three) go one at a time to the (group, split) pair
//    with the largest remainder n w_k mod W, ties broken by a seeded random order of the
//    groups, then split order; a pair is passed over when its split is full or when taking it
//    would leave the other papers no exact placement (checked with Hall's condition over the
//    seven sets of splits). Such a placement always exists, so every group gets its ideal share
//    rounded down or up, and the totals are those of step 2.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "data/seeded_random.h"

namespace greenbert {

struct SplitRatios {
  double train = 0.9;
  double val = 0.05;
  double test = 0.05;
};

using SplitCounts = std::array<int64_t, 3>;  // train, val, test

// Counts per group (same order as `group_sizes`); each row sums to its group's size. Throws
// Error for ratios that are negative, not finite or give train nothing.
std::vector<SplitCounts> allocate_stratified(std::span<const int64_t> group_sizes,
                                             const SplitRatios& ratios, SeededRandom& random);

// "0.9,0.05,0.05", "90/5/5" or "8:1:1": three non-negative numbers, taken relative to their
// sum. Throws Error.
SplitRatios parse_split_ratios(std::string_view text);

}  // namespace greenbert
