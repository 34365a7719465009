#include "data/length_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace greenbert {

double percentile(std::span<const int64_t> sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(below);
  return static_cast<double>(sorted[below]) +
         fraction * static_cast<double>(sorted[above] - sorted[below]);
}

LengthSummary summarize_lengths(std::vector<int64_t> lengths) {
  LengthSummary summary;
  if (lengths.empty()) return summary;
  std::sort(lengths.begin(), lengths.end());
  summary.count = static_cast<int64_t>(lengths.size());
  summary.mean = static_cast<double>(std::accumulate(lengths.begin(), lengths.end(), int64_t{0})) /
                 static_cast<double>(lengths.size());
  summary.min = lengths.front();
  summary.max = lengths.back();
  summary.p50 = percentile(lengths, 50);
  summary.p90 = percentile(lengths, 90);
  summary.p95 = percentile(lengths, 95);
  summary.p99 = percentile(lengths, 99);
  return summary;
}

}  // namespace greenbert
