#include "model/config.h"

#include <cmath>
#include <map>
#include <type_traits>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"

namespace greenbert {

const char* model_type_name(ModelType type) {
  return type == ModelType::distilbert ? "distilbert" : "bert";
}

namespace {

using json = nlohmann::json;

// Typed access to optional keys, with errors that name the file and the key.
struct Reader {
  const json& j;
  const std::string& source;

  bool has(const char* key) const { return j.contains(key) && !j.at(key).is_null(); }

  // The value as the type it is stored in: an integer that does not fit is an error, never a
  // wrapped value (a pad_token_id of 2^32 is not 0).
  template <std::integral T = int64_t>
  T integer(const char* key, std::type_identity_t<T> fallback) const {
    if (!has(key)) return fallback;
    return json_integer<T>(j.at(key), cat(source, ": '", key, "'"));
  }
  double number(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = j.at(key);
    if (!v.is_number()) fail(source, ": '", key, "' must be a number, got ", v.dump());
    return v.get<double>();
  }
  std::optional<double> optional_number(const char* key) const {
    if (!has(key)) return std::nullopt;
    return number(key, 0.0);
  }
  std::string string(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const json& v = j.at(key);
    if (!v.is_string()) fail(source, ": '", key, "' must be a string, got ", v.dump());
    return v.get<std::string>();
  }
  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = j.at(key);
    if (!v.is_boolean()) fail(source, ": '", key, "' must be true or false, got ", v.dump());
    return v.get<bool>();
  }
};

void require_gelu(const std::string& activation, const char* key, const std::string& source) {
  // HF's "gelu" is the exact erf form, the only one implemented ("gelu_new" is the tanh form).
  if (activation != "gelu")
    fail(source, ": ", key, " '", activation,
         "' is not supported (greenbert implements \"gelu\", the erf form)");
}

// id2label / label2id / num_labels, with HF's precedence: id2label wins, then num_labels.
std::vector<std::string> parse_labels(const Reader& r) {
  std::vector<std::string> labels;
  if (r.has("id2label")) {
    const json& map = r.j.at("id2label");
    if (!map.is_object()) fail(r.source, ": 'id2label' must be an object {\"0\": \"name\", ...}");
    labels.resize(map.size());
    std::vector<bool> seen(map.size(), false);
    for (const auto& [key, value] : map.items()) {
      size_t used = 0;
      long long id = -1;
      try {
        id = std::stoll(key, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != key.size() || id < 0 || id >= static_cast<long long>(map.size()))
        fail(r.source, ": id2label key '", key, "' is not an id in 0..", map.size() - 1);
      if (!value.is_string()) fail(r.source, ": id2label[", key, "] must be a string");
      labels[static_cast<size_t>(id)] = value.get<std::string>();
      seen[static_cast<size_t>(id)] = true;
    }
    for (size_t i = 0; i < seen.size(); ++i)
      if (!seen[i]) fail(r.source, ": id2label has no entry for id ", i);
  } else {
    int64_t n = r.integer<int64_t>("num_labels", 2);
    if (n < 1 || n > 1000000) fail(r.source, ": num_labels must be in 1..1000000, got ", n);
    for (int64_t i = 0; i < n; ++i) labels.push_back(cat("LABEL_", i));
  }
  if (r.has("num_labels") && r.has("id2label") &&
      r.integer("num_labels", 0) != static_cast<int64_t>(labels.size()))
    fail(r.source, ": num_labels is ", r.integer("num_labels", 0), " but id2label has ",
         labels.size(), " entries");
  if (r.has("label2id")) {
    const json& map = r.j.at("label2id");
    if (!map.is_object()) fail(r.source, ": 'label2id' must be an object {\"name\": id, ...}");
    for (const auto& [name, id] : map.items()) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
          id.get<int64_t>() >= static_cast<int64_t>(labels.size()) ||
          labels[static_cast<size_t>(id.get<int64_t>())] != name)
        fail(r.source, ": label2id[\"", name, "\"] = ", id.dump(), " does not match id2label");
    }
    if (map.size() != labels.size())
      fail(r.source, ": label2id has ", map.size(), " entries but id2label has ", labels.size());
  }
  return labels;
}

BertConfig parse_bert(const Reader& r) {
  BertConfig c;
  c.model_type = ModelType::bert;
  c.vocab_size = r.integer("vocab_size", 30522);
  c.hidden_size = r.integer("hidden_size", 768);
  c.num_layers = r.integer("num_hidden_layers", 12);
  c.num_heads = r.integer("num_attention_heads", 12);
  c.intermediate_size = r.integer("intermediate_size", 3072);
  c.max_position_embeddings = r.integer("max_position_embeddings", 512);
  c.type_vocab_size = r.integer("type_vocab_size", 2);
  c.layer_norm_eps = r.number("layer_norm_eps", 1e-12);
  c.hidden_dropout = r.number("hidden_dropout_prob", 0.1);
  c.attention_dropout = r.number("attention_probs_dropout_prob", 0.1);
  c.classifier_dropout = r.optional_number("classifier_dropout");
  c.initializer_range = r.number("initializer_range", 0.02);
  c.pad_token_id = r.integer<int32_t>("pad_token_id", 0);
  require_gelu(r.string("hidden_act", "gelu"), "hidden_act", r.source);
  std::string positions = r.string("position_embedding_type", "absolute");
  if (positions != "absolute")
    fail(r.source, ": position_embedding_type '", positions,
         "' is not supported (greenbert implements \"absolute\")");
  if (c.type_vocab_size < 1)
    fail(r.source, ": type_vocab_size must be at least 1 for model_type bert");
  return c;
}

BertConfig parse_distilbert(const Reader& r) {
  BertConfig c;
  c.model_type = ModelType::distilbert;
  c.vocab_size = r.integer("vocab_size", 30522);
  c.hidden_size = r.integer("dim", 768);
  c.num_layers = r.integer("n_layers", 6);
  c.num_heads = r.integer("n_heads", 12);
  c.intermediate_size = r.integer("hidden_dim", 3072);
  c.max_position_embeddings = r.integer("max_position_embeddings", 512);
  c.type_vocab_size = 0;
  c.layer_norm_eps = 1e-12;  // fixed in HF's DistilBERT modules
  c.hidden_dropout = r.number("dropout", 0.1);
  c.attention_dropout = r.number("attention_dropout", 0.1);
  c.classifier_dropout = r.number("seq_classif_dropout", 0.2);
  c.initializer_range = r.number("initializer_range", 0.02);
  c.pad_token_id = r.integer<int32_t>("pad_token_id", 0);
  require_gelu(r.string("activation", "gelu"), "activation", r.source);
  if (r.boolean("sinusoidal_pos_embds", false))
    fail(r.source, ": sinusoidal_pos_embds=true is not supported (learned positions only)");
  return c;
}

}  // namespace

BertConfig parse_config(const json& j, const std::string& source) {
  if (!j.is_object()) fail(source, ": a config must be a JSON object");
  Reader r{j, source};
  std::string type = r.string("model_type", "");
  if (type.empty()) {
    // Google's bert_config.json and some early exports carry no model_type.
    if (j.contains("hidden_size") && j.contains("num_hidden_layers"))
      type = "bert";
    else if (j.contains("dim") && j.contains("n_layers"))
      type = "distilbert";
    else
      fail(source, ": no model_type, and the keys are neither BERT's nor DistilBERT's");
  }
  BertConfig c;
  if (type == "bert")
    c = parse_bert(r);
  else if (type == "distilbert")
    c = parse_distilbert(r);
  else
    fail(source, ": model_type '", type, "' is not supported (expected bert or distilbert)");
  c.labels = parse_labels(r);
  c.problem_type = r.string("problem_type", "");
  validate(c, source);
  return c;
}

BertConfig load_config(const std::filesystem::path& path) {
  return parse_config(read_json_file(path), path.string());
}

nlohmann::ordered_json to_json(const BertConfig& c) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json id2label = nlohmann::ordered_json::object();
  nlohmann::ordered_json label2id = nlohmann::ordered_json::object();
  for (size_t i = 0; i < c.labels.size(); ++i) {
    id2label[std::to_string(i)] = c.labels[i];
    label2id[c.labels[i]] = i;
  }
  if (c.model_type == ModelType::bert) {
    j["architectures"] = {"BertForSequenceClassification"};
    j["model_type"] = "bert";
    j["attention_probs_dropout_prob"] = c.attention_dropout;
    j["classifier_dropout"] = c.classifier_dropout ? json(*c.classifier_dropout) : json(nullptr);
    j["hidden_act"] = "gelu";
    j["hidden_dropout_prob"] = c.hidden_dropout;
    j["hidden_size"] = c.hidden_size;
    j["initializer_range"] = c.initializer_range;
    j["intermediate_size"] = c.intermediate_size;
    j["layer_norm_eps"] = c.layer_norm_eps;
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["num_attention_heads"] = c.num_heads;
    j["num_hidden_layers"] = c.num_layers;
    j["pad_token_id"] = c.pad_token_id;
    j["position_embedding_type"] = "absolute";
    j["type_vocab_size"] = c.type_vocab_size;
    j["vocab_size"] = c.vocab_size;
  } else {
    j["architectures"] = {"DistilBertForSequenceClassification"};
    j["model_type"] = "distilbert";
    j["activation"] = "gelu";
    j["attention_dropout"] = c.attention_dropout;
    j["dim"] = c.hidden_size;
    j["dropout"] = c.hidden_dropout;
    j["hidden_dim"] = c.intermediate_size;
    j["initializer_range"] = c.initializer_range;
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["n_heads"] = c.num_heads;
    j["n_layers"] = c.num_layers;
    j["pad_token_id"] = c.pad_token_id;
    j["seq_classif_dropout"] = c.head_dropout();
    j["sinusoidal_pos_embds"] = false;
    j["tie_weights_"] = true;
    j["vocab_size"] = c.vocab_size;
  }
  j["id2label"] = id2label;
  j["label2id"] = label2id;
  if (!c.problem_type.empty()) j["problem_type"] = c.problem_type;
  j["torch_dtype"] = "float32";
  return j;
}

void save_config(const std::filesystem::path& path, const BertConfig& config) {
  validate(config, path.string());
  write_file_atomically(path, to_json(config).dump(2) + "\n");
}

void validate(const BertConfig& c, const std::string& source) {
  auto in_range = [&](const char* what, int64_t value, int64_t lo, int64_t hi) {
    if (value < lo || value > hi)
      fail(source, ": ", what, " must be in ", lo, "..", hi, ", got ", value);
  };
  // Upper bounds reject corrupt or hostile configs before they turn into huge allocations.
  in_range("vocab_size", c.vocab_size, 1, 10'000'000);
  in_range("hidden size", c.hidden_size, 1, 65536);
  in_range("number of layers", c.num_layers, 1, 1000);
  in_range("number of attention heads", c.num_heads, 1, 4096);
  in_range("intermediate size", c.intermediate_size, 1, 1 << 20);
  in_range("max_position_embeddings", c.max_position_embeddings, 1, 1 << 20);
  in_range("type_vocab_size", c.type_vocab_size, c.model_type == ModelType::bert ? 1 : 0,
           c.model_type == ModelType::bert ? 1 << 16 : 0);
  in_range("number of labels", c.num_labels(), 1, 1'000'000);
  if (c.hidden_size % c.num_heads != 0)
    fail(source, ": hidden size ", c.hidden_size, " is not divisible by the number of heads ",
         c.num_heads);
  auto probability = [&](const char* what, double p) {
    if (!(p >= 0.0 && p < 1.0)) fail(source, ": ", what, " must be in [0, 1), got ", p);
  };
  probability("hidden dropout", c.hidden_dropout);
  probability("attention dropout", c.attention_dropout);
  probability("classifier dropout", c.head_dropout());
  if (!(c.layer_norm_eps > 0.0 && c.layer_norm_eps < 1.0))
    fail(source, ": layer_norm_eps must be in (0, 1), got ", c.layer_norm_eps);
  if (!(c.initializer_range >= 0.0 && c.initializer_range < 10.0))
    fail(source, ": initializer_range must be in [0, 10), got ", c.initializer_range);
  if (c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size)
    fail(source, ": pad_token_id ", c.pad_token_id, " is outside the vocabulary (", c.vocab_size,
         " tokens)");
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < c.labels.size(); ++i)
    if (!seen.emplace(c.labels[i], i).second)
      fail(source, ": label '", c.labels[i], "' appears twice (ids ", seen[c.labels[i]], " and ", i,
           ")");
}

namespace {
struct Preset {
  const char* name;
  ModelType type;
  int64_t layers, hidden, heads, intermediate;
};
constexpr Preset kPresets[] = {
    {"bert-base", ModelType::bert, 12, 768, 12, 3072},
    {"distilbert", ModelType::distilbert, 6, 768, 12, 3072},
    {"tinybert", ModelType::bert, 4, 312, 12, 1200},
    {"bert-tiny", ModelType::bert, 2, 128, 2, 512},
    {"bert-mini", ModelType::bert, 4, 256, 4, 1024},
    {"bert-small", ModelType::bert, 4, 512, 8, 2048},
};
}  // namespace

BertConfig preset_config(std::string_view name) {
  for (const Preset& p : kPresets) {
    if (name != p.name) continue;
    BertConfig c;
    c.model_type = p.type;
    c.num_layers = p.layers;
    c.hidden_size = p.hidden;
    c.num_heads = p.heads;
    c.intermediate_size = p.intermediate;
    if (p.type == ModelType::distilbert) {
      c.type_vocab_size = 0;
      c.classifier_dropout = 0.2;  // DistilBERT's seq_classif_dropout default
    }
    return c;
  }
  std::string known;
  for (const Preset& p : kPresets) known += cat(known.empty() ? "" : ", ", p.name);
  fail("unknown model preset '", name, "' (known: ", known, ")");
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.emplace_back(p.name);
  return names;
}

}  // namespace greenbert
