#pragma once
// config.json of greenbert's linear baseline (model/linear_model.h): model_type
// "greenbert-linear" and its version, vocab_size, bigrams, dim, weighting, and the labels as
// id2label / label2id. Apart from linear_model.h so that a model directory
// (model/model_directory.h) can hold one without the model's code.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace greenbert {

enum class FeatureWeighting { tfidf, mean };
const char* weighting_name(FeatureWeighting weighting);  // "tfidf" / "mean"

inline constexpr const char* kLinearModelType = "greenbert-linear";
inline constexpr int kLinearFormatVersion = 1;

struct LinearConfig {
  int64_t vocab_size = 8192;
  int64_t bigrams = 0;  // bigram features: the model's list (set by choose_bigrams)
  int64_t dim = 0;      // 0: logistic regression; > 0: fastText's hidden width
  FeatureWeighting weighting = FeatureWeighting::tfidf;
  std::vector<std::string> labels;

  int64_t features() const { return vocab_size + bigrams; }
  int64_t num_labels() const { return static_cast<int64_t>(labels.size()); }
  int64_t width() const { return dim > 0 ? dim : num_labels(); }
};

// Throws greenbert::Error naming `source` for a config that cannot be a model.
void validate(const LinearConfig& config, const std::string& source);

// Whether a parsed config.json is a linear model's (its model_type).
bool is_linear_config(const nlohmann::json& json);
nlohmann::ordered_json to_json(const LinearConfig& config);
LinearConfig linear_config_from_json(const nlohmann::json& json, const std::string& source);

}  // namespace greenbert
