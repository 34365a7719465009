#include "infer/label_decisions.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"

namespace greenbert {

std::vector<int64_t> labels_at_threshold(std::span<const float> probabilities,
                                         std::span<const float> thresholds) {
  if (thresholds.size() != 1 && thresholds.size() != probabilities.size())
    fail("labels_at_threshold: ", thresholds.size(), " thresholds for ", probabilities.size(),
         " labels");
  std::vector<int64_t> labels;
  for (size_t l = 0; l < probabilities.size(); ++l)
    if (probabilities[l] >= thresholds[thresholds.size() == 1 ? 0 : l])
      labels.push_back(static_cast<int64_t>(l));
  return labels;
}

std::vector<int64_t> most_probable_labels(std::span<const float> probabilities, int64_t k) {
  std::vector<int64_t> order(probabilities.size());
  std::iota(order.begin(), order.end(), 0);
  const auto count = std::clamp<int64_t>(k, 0, static_cast<int64_t>(order.size()));
  std::partial_sort(order.begin(), order.begin() + count, order.end(), [&](int64_t a, int64_t b) {
    const float pa = probabilities[static_cast<size_t>(a)];
    const float pb = probabilities[static_cast<size_t>(b)];
    return pa > pb || (pa == pb && a < b);
  });
  order.resize(static_cast<size_t>(count));
  return order;
}

}  // namespace greenbert
