#pragma once
// The architecture of a BERT-family encoder with a multi-label classification head, read from
// and written to Hugging Face config.json files (model_type "bert" or "distilbert"), or taken
// from a named preset. One struct serves both families: DistilBERT is a BERT encoder without
// token types, without dropout after the attention output, and with a ReLU (not tanh) head.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace greenbert {

enum class ModelType { bert, distilbert };

const char* model_type_name(ModelType type);  // "bert" / "distilbert"

inline constexpr const char* kMultiLabelProblem = "multi_label_classification";

struct BertConfig {
  ModelType model_type = ModelType::bert;
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_layers = 12;
  int64_t num_heads = 12;
  int64_t intermediate_size = 3072;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;  // 0 for DistilBERT, which has no token type embeddings
  double layer_norm_eps = 1e-12;
  double hidden_dropout = 0.1;     // embeddings, attention output, FFN output
  double attention_dropout = 0.1;  // attention probabilities
  // BERT: classifier_dropout (null means hidden_dropout); DistilBERT: seq_classif_dropout.
  std::optional<double> classifier_dropout;
  double initializer_range = 0.02;
  int32_t pad_token_id = 0;
  std::vector<std::string> labels = {"LABEL_0", "LABEL_1"};  // id2label, in id order
  // config.json's problem_type (HF: multi_label_classification, single_label_classification or
  // regression); empty when the file has none. greenbert trains multi-label classifiers.
  std::string problem_type = kMultiLabelProblem;

  int64_t head_dim() const { return hidden_size / num_heads; }
  int64_t num_labels() const { return static_cast<int64_t>(labels.size()); }
  bool has_token_types() const { return type_vocab_size > 0; }
  double head_dropout() const { return classifier_dropout.value_or(hidden_dropout); }
  // BERT applies hidden dropout to the attention output before the residual; DistilBERT does not.
  bool dropout_after_attention() const { return model_type == ModelType::bert; }
};

// Reads a config.json object. `source` names the file in error messages. Unknown keys are
// ignored; unsupported features (another model_type, hidden_act other than "gelu",
// relative position embeddings, sinusoidal DistilBERT positions) are errors that say so.
// A config without model_type is recognised by its keys (Google's original bert_config.json).
BertConfig parse_config(const nlohmann::json& json, const std::string& source);
BertConfig load_config(const std::filesystem::path& path);

// An HF-compatible config.json for BertForSequenceClassification or
// DistilBertForSequenceClassification, with the config's problem_type when it has one.
nlohmann::ordered_json to_json(const BertConfig& config);
void save_config(const std::filesystem::path& path, const BertConfig& config);

// Throws greenbert::Error naming `source` and the first inconsistency found.
void validate(const BertConfig& config, const std::string& source);

// Presets: bert-base, distilbert, tinybert, bert-tiny, bert-mini, bert-small (uncased vocab
// 30522, 512 positions, 2 labels until the caller sets its own).
BertConfig preset_config(std::string_view name);
std::vector<std::string> preset_names();

}  // namespace greenbert
