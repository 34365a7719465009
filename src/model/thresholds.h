#pragma once
// thresholds.json of a model directory: the decision thresholds tuned on validation.
//   {"format": "greenbert-thresholds", "version": 1, "global": 0.35, "use_per_label": false,
//    "per_label": {"cs.CL": 0.4, ...}}       per_label optional; every value in [0, 1]
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace greenbert {

struct Thresholds {
  float global = 0.5f;
  std::vector<float> per_label;  // one per label when tuned; empty otherwise
  bool use_per_label = false;    // whether predictions use per_label (else global)

  // The thresholds predictions should use: per_label or {global}.
  std::span<const float> effective() const;
};

// The file's thresholds for `labels` (the model's, in id order); the defaults without a file.
Thresholds load_thresholds(const std::filesystem::path& path,
                           const std::vector<std::string>& labels);
// Writes the file atomically.
void save_thresholds(const std::filesystem::path& path, const Thresholds& thresholds,
                     const std::vector<std::string>& labels);

}  // namespace greenbert
