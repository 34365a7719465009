#include "model/linear_config.h"

#include "core/error.h"
#include "core/json_fields.h"

namespace greenbert {

const char* weighting_name(FeatureWeighting weighting) {
  return weighting == FeatureWeighting::tfidf ? "tfidf" : "mean";
}

void validate(const LinearConfig& c, const std::string& source) {
  if (c.vocab_size < 1 || c.vocab_size > (int64_t{1} << 30))
    fail(source, ": vocab_size must be in [1, 2^30], got ", c.vocab_size);
  if (c.bigrams < 0 || c.bigrams > (int64_t{1} << 30))
    fail(source, ": bigrams must be in [0, 2^30], got ", c.bigrams);
  if (c.dim < 0 || c.dim > 4096) fail(source, ": dim must be in [0, 4096], got ", c.dim);
  if (c.labels.empty()) fail(source, ": no labels");
}

bool is_linear_config(const nlohmann::json& json) {
  return json.is_object() && json.value("model_type", "") == kLinearModelType;
}

nlohmann::ordered_json to_json(const LinearConfig& c) {
  nlohmann::ordered_json j;
  j["model_type"] = kLinearModelType;
  j["greenbert_linear_version"] = kLinearFormatVersion;
  j["architectures"] = {"GreenbertLinearClassifier"};
  j["problem_type"] = "multi_label_classification";
  j["vocab_size"] = c.vocab_size;
  j["bigrams"] = c.bigrams;
  j["dim"] = c.dim;
  j["weighting"] = weighting_name(c.weighting);
  nlohmann::ordered_json id2label = nlohmann::ordered_json::object(),
                         label2id = nlohmann::ordered_json::object();
  for (size_t i = 0; i < c.labels.size(); ++i) {
    id2label[std::to_string(i)] = c.labels[i];
    label2id[c.labels[i]] = i;
  }
  j["id2label"] = id2label;
  j["label2id"] = label2id;
  return j;
}

LinearConfig linear_config_from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object() || j.value("model_type", "") != kLinearModelType)
    fail(source, ": not a ", kLinearModelType, " config (model_type)");
  if (j.value("greenbert_linear_version", 0) != kLinearFormatVersion)
    fail(source, ": greenbert_linear_version ", j.value("greenbert_linear_version", 0), " is not ",
         kLinearFormatVersion);
  LinearConfig c;
  try {
    c.vocab_size = json_integer<int64_t>(j.at("vocab_size"), "vocab_size");
    c.bigrams = json_integer<int64_t>(j.at("bigrams"), "bigrams");
    c.dim = json_integer<int64_t>(j.at("dim"), "dim");
    const std::string weighting = j.at("weighting").get<std::string>();
    if (weighting != "tfidf" && weighting != "mean")
      fail(source, ": weighting must be tfidf or mean, got '", weighting, "'");
    c.weighting = weighting == "tfidf" ? FeatureWeighting::tfidf : FeatureWeighting::mean;
    const auto& id2label = j.at("id2label");
    c.labels.resize(id2label.size());
    for (size_t i = 0; i < c.labels.size(); ++i)
      c.labels[i] = id2label.at(std::to_string(i)).get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    fail(source, ": ", e.what());
  }
  validate(c, source);
  return c;
}

}  // namespace greenbert
