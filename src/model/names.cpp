#include "model/names.h"

#include <cctype>

#include "core/error.h"

namespace greenbert {

namespace {

struct NamePair {
  std::string_view canonical;
  std::string_view distilbert;  // empty: no such tensor in DistilBERT
};

constexpr NamePair kTopLevel[] = {
    {"bert.embeddings.word_embeddings.weight", "distilbert.embeddings.word_embeddings.weight"},
    {"bert.embeddings.position_embeddings.weight",
     "distilbert.embeddings.position_embeddings.weight"},
    {"bert.embeddings.token_type_embeddings.weight", ""},
    {"bert.embeddings.LayerNorm.weight", "distilbert.embeddings.LayerNorm.weight"},
    {"bert.embeddings.LayerNorm.bias", "distilbert.embeddings.LayerNorm.bias"},
    {"bert.pooler.dense.weight", "pre_classifier.weight"},
    {"bert.pooler.dense.bias", "pre_classifier.bias"},
    {"classifier.weight", "classifier.weight"},
    {"classifier.bias", "classifier.bias"},
    {"cls.predictions.transform.dense.weight", "vocab_transform.weight"},
    {"cls.predictions.transform.dense.bias", "vocab_transform.bias"},
    {"cls.predictions.transform.LayerNorm.weight", "vocab_layer_norm.weight"},
    {"cls.predictions.transform.LayerNorm.bias", "vocab_layer_norm.bias"},
    {"cls.predictions.bias", "vocab_projector.bias"},
};

// Suffixes after "bert.encoder.layer.N." / "distilbert.transformer.layer.N.".
constexpr NamePair kLayer[] = {
    {"attention.self.query.weight", "attention.q_lin.weight"},
    {"attention.self.query.bias", "attention.q_lin.bias"},
    {"attention.self.key.weight", "attention.k_lin.weight"},
    {"attention.self.key.bias", "attention.k_lin.bias"},
    {"attention.self.value.weight", "attention.v_lin.weight"},
    {"attention.self.value.bias", "attention.v_lin.bias"},
    {"attention.output.dense.weight", "attention.out_lin.weight"},
    {"attention.output.dense.bias", "attention.out_lin.bias"},
    {"attention.output.LayerNorm.weight", "sa_layer_norm.weight"},
    {"attention.output.LayerNorm.bias", "sa_layer_norm.bias"},
    {"intermediate.dense.weight", "ffn.lin1.weight"},
    {"intermediate.dense.bias", "ffn.lin1.bias"},
    {"output.dense.weight", "ffn.lin2.weight"},
    {"output.dense.bias", "ffn.lin2.bias"},
    {"output.LayerNorm.weight", "output_layer_norm.weight"},
    {"output.LayerNorm.bias", "output_layer_norm.bias"},
};

constexpr std::string_view kBertLayer = "bert.encoder.layer.";
constexpr std::string_view kDistilLayer = "distilbert.transformer.layer.";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix);
}

// Splits "<prefix>N.<suffix>" into N's text and the suffix.
bool split_layer(std::string_view name, std::string_view prefix, std::string_view& number,
                 std::string_view& suffix) {
  if (!starts_with(name, prefix)) return false;
  std::string_view rest = name.substr(prefix.size());
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  if (digits == 0 || digits > 6 || digits >= rest.size() || rest[digits] != '.') return false;
  if (digits > 1 && rest[0] == '0') return false;  // "01" is not a layer number HF writes
  number = rest.substr(0, digits);
  suffix = rest.substr(digits + 1);
  return true;
}

std::string legacy_bert_name(std::string_view name) {
  std::string n(name);
  if (starts_with(n, "embeddings.") || starts_with(n, "encoder.") || starts_with(n, "pooler."))
    n = "bert." + n;
  for (auto [from, to] :
       {std::pair<std::string_view, std::string_view>{"LayerNorm.gamma", "LayerNorm.weight"},
        {"LayerNorm.beta", "LayerNorm.bias"}})
    if (n.size() >= from.size() && n.compare(n.size() - from.size(), from.size(), from) == 0)
      n.replace(n.size() - from.size(), from.size(), to);
  return n;
}

}  // namespace

std::optional<std::string> canonical_name(std::string_view checkpoint_name, ModelType type) {
  std::string_view number, suffix;
  if (type == ModelType::bert) {
    std::string name = legacy_bert_name(checkpoint_name);
    for (const NamePair& p : kTopLevel)
      if (name == p.canonical) return name;
    if (split_layer(name, kBertLayer, number, suffix))
      for (const NamePair& p : kLayer)
        if (suffix == p.canonical) return name;
    return std::nullopt;
  }
  std::string name(checkpoint_name);
  if (starts_with(name, "embeddings.") || starts_with(name, "transformer."))
    name = "distilbert." + name;
  for (const NamePair& p : kTopLevel)
    if (!p.distilbert.empty() && name == p.distilbert) return std::string(p.canonical);
  if (split_layer(name, kDistilLayer, number, suffix))
    for (const NamePair& p : kLayer)
      if (suffix == p.distilbert) return cat(kBertLayer, number, ".", p.canonical);
  return std::nullopt;
}

std::string checkpoint_name(std::string_view canonical, ModelType type) {
  if (type == ModelType::bert) return std::string(canonical);
  for (const NamePair& p : kTopLevel) {
    if (canonical != p.canonical) continue;
    if (p.distilbert.empty()) fail("DistilBERT has no tensor corresponding to '", canonical, "'");
    return std::string(p.distilbert);
  }
  std::string_view number, suffix;
  if (split_layer(canonical, kBertLayer, number, suffix))
    for (const NamePair& p : kLayer)
      if (suffix == p.canonical) return cat(kDistilLayer, number, ".", p.distilbert);
  fail("'", canonical, "' is not a canonical parameter name");
}

bool is_ignored_checkpoint_tensor(std::string_view name, ModelType type) {
  if (type == ModelType::bert) {
    std::string n = legacy_bert_name(name);
    // The decoder weight is a tied copy of the word embeddings, its bias a copy of
    // cls.predictions.bias; next-sentence prediction is not implemented.
    return n == "bert.embeddings.position_ids" || n == "bert.embeddings.token_type_ids" ||
           n == "cls.predictions.decoder.weight" || n == "cls.predictions.decoder.bias" ||
           starts_with(n, "cls.seq_relationship.") || starts_with(n, "fit_denses.") ||
           starts_with(n, "fit_dense.");
  }
  return name == "distilbert.embeddings.position_ids" || name == "embeddings.position_ids" ||
         name == "vocab_projector.weight";
}

bool is_masked_lm_tensor(std::string_view canonical) {
  return starts_with(canonical, "cls.predictions.");
}

}  // namespace greenbert
