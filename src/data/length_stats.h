#pragma once
// Distribution of lengths (words, characters, tokens per example): what `data stats` prints
// and what a maximum sequence length is chosen from.
#include <cstdint>
#include <span>
#include <vector>

namespace greenbert {

struct LengthSummary {
  int64_t count = 0;
  double mean = 0;
  int64_t min = 0;
  int64_t max = 0;
  double p50 = 0;
  double p90 = 0;
  double p95 = 0;
  double p99 = 0;
};

// The q-th percentile (0 <= q <= 100) of ascending `sorted`, interpolating linearly between the
// two nearest ranks (numpy.percentile's default); 0 for no values.
double percentile(std::span<const int64_t> sorted, double q);

LengthSummary summarize_lengths(std::vector<int64_t> lengths);

}  // namespace greenbert
