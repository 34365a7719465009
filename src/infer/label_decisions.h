#pragma once
// How a model's probabilities become a prediction, one way for `predict` and `serve`: the labels
// at or above their decision threshold, and the most probable labels.
#include <cstdint>
#include <span>
#include <vector>

namespace greenbert {

// Ids of the labels whose probability is at or above their threshold, ascending.
// probabilities (labels); thresholds (labels), or one threshold for every label.
std::vector<int64_t> labels_at_threshold(std::span<const float> probabilities,
                                         std::span<const float> thresholds);

// Ids of the k most probable labels (all of them when k is larger), most probable first; equal
// probabilities go to the lower id first. probabilities (labels).
std::vector<int64_t> most_probable_labels(std::span<const float> probabilities, int64_t k);

}  // namespace greenbert
