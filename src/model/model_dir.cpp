#include "model/model_dir.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "data/label_map.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "model/names.h"
#include "text/vocab_trainer.h"

namespace greenbert {
namespace {

constexpr const char* kThresholdsFormat = "greenbert-thresholds";
constexpr int kThresholdsVersion = 1;

bool is_head_tensor(std::string_view canonical) {
  return canonical.starts_with("classifier.") || canonical.starts_with("bert.pooler.");
}

std::filesystem::path weights_file(const std::filesystem::path& dir) {
  for (const char* name : {"model.safetensors", "pytorch_model.bin"}) {
    if (std::filesystem::exists(dir / name)) return dir / name;
  }
  fail(dir.string(),
       ": no model.safetensors or pytorch_model.bin (sharded checkpoints, "
       "*.index.json, are not supported)");
}

// HF fast-tokenizer directories may ship tokenizer.json without vocab.txt: take the WordPiece
// vocabulary and the normalizer settings from it.
BertTokenizer tokenizer_from_json(const std::filesystem::path& path) {
  const auto json = read_json_file(path);
  if (!json.is_object()) fail(path.string(), ": not a JSON object");
  const auto& model = json.value("model", nlohmann::json::object());
  if (model.value("type", "") != "WordPiece" || !model.contains("vocab") ||
      !model["vocab"].is_object())
    fail(path.string(), ": not a WordPiece tokenizer (model.type must be WordPiece)");
  std::vector<std::string> tokens(model["vocab"].size());
  for (const auto& [token, id] : model["vocab"].items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<size_t>() >= tokens.size() ||
        !tokens[id.get<size_t>()].empty())
      fail(path.string(), ": model.vocab: token '", token, "' has a bad or repeated id");
    tokens[id.get<size_t>()] = token;
  }
  NormalizerOptions options;
  const auto& normalizer = json.value("normalizer", nlohmann::json::object());
  if (normalizer.is_object()) {
    options.lowercase = normalizer.value("lowercase", true);
    const auto& strip = normalizer.value("strip_accents", nlohmann::json());
    options.strip_accents = strip.is_boolean() ? strip.get<bool>() : options.lowercase;
    options.split_cjk = normalizer.value("handle_chinese_chars", true);
  }
  return BertTokenizer(Vocab::from_tokens(std::move(tokens), path.string()), options);
}

}  // namespace

BertTokenizer load_tokenizer(const std::filesystem::path& dir) {
  if (std::filesystem::exists(dir / "vocab.txt"))
    return BertTokenizer::from_file(dir / "vocab.txt");
  if (std::filesystem::exists(dir / "tokenizer.json"))
    return tokenizer_from_json(dir / "tokenizer.json");
  fail(dir.string(), ": no vocab.txt or tokenizer.json");
}

Thresholds load_thresholds(const std::filesystem::path& path,
                           const std::vector<std::string>& labels) {
  Thresholds t;
  if (!std::filesystem::exists(path)) return t;
  const auto json = read_json_file(path);
  if (!json.is_object() || json.value("format", "") != kThresholdsFormat)
    fail(path.string(), ": not a ", kThresholdsFormat, " file");
  if (json.value("version", 0) != kThresholdsVersion)
    fail(path.string(), ": version ", json.value("version", 0), " is not ", kThresholdsVersion);
  auto valid = [&](const nlohmann::json& v, const std::string& what) {
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1)
      fail(path.string(), ": ", what, " must be a number in [0, 1]");
    return v.get<float>();
  };
  t.global = valid(json.value("global", nlohmann::json()), "global");
  t.use_per_label = json.value("use_per_label", false);
  if (json.contains("per_label")) {
    const auto& per_label = json["per_label"];
    if (!per_label.is_object() || per_label.size() != labels.size())
      fail(path.string(), ": per_label must name each of the model's ", labels.size(), " labels");
    for (const auto& label : labels) {
      if (!per_label.contains(label)) fail(path.string(), ": per_label lacks label '", label, "'");
      t.per_label.push_back(valid(per_label[label], "per_label." + label));
    }
  }
  if (t.use_per_label && t.per_label.empty())
    fail(path.string(), ": use_per_label is true but per_label is missing");
  return t;
}

namespace {

// Copies one checkpoint tensor into its parameter view after checking the shape.
void load_tensor(const std::filesystem::path& file, const std::string& name, const TensorView& view,
                 const ParameterTensor& target, ParameterBuffer& params) {
  if (view.shape != target.shape)
    fail(file.string(), ": tensor ", name, ": shape ", format_shape(view.shape),
         " but config.json needs ", format_shape(target.shape),
         name == target.name ? "" : cat(" (", target.name, ")"));
  if (view.dtype != DType::F32 && view.dtype != DType::F16 && view.dtype != DType::BF16 &&
      view.dtype != DType::F64)
    fail(file.string(), ": tensor ", name, ": dtype ", dtype_name(view.dtype),
         " is not a floating-point type");
  const auto values = to_float32(view);
  std::copy(values.begin(), values.end(), params.view(target).begin());
}

// config.json of a model directory, its labels checked against labels.json when present.
BertConfig load_checked_config(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) fail(dir.string(), ": not a model directory");
  BertConfig config = load_config(dir / "config.json");
  if (std::filesystem::exists(dir / "labels.json")) {
    const auto names = LabelMap::load(dir / "labels.json").names();
    if (names != config.labels)
      fail(dir.string(), ": labels.json and config.json's id2label disagree (", names.size(),
           " vs ", config.labels.size(), " labels)");
  }
  return config;
}

}  // namespace

std::span<const float> Thresholds::effective() const {
  if (use_per_label) return per_label;
  return {&global, 1};
}

void save_thresholds(const std::filesystem::path& path, const Thresholds& t,
                     const std::vector<std::string>& labels) {
  nlohmann::ordered_json json{{"format", kThresholdsFormat},
                              {"version", kThresholdsVersion},
                              {"global", t.global},
                              {"use_per_label", t.use_per_label}};
  if (!t.per_label.empty()) {
    if (t.per_label.size() != labels.size())
      fail(path.string(), ": ", t.per_label.size(), " per-label thresholds for ", labels.size(),
           " labels");
    auto& per_label = json["per_label"] = nlohmann::ordered_json::object();
    for (size_t i = 0; i < labels.size(); ++i) per_label[labels[i]] = t.per_label[i];
  }
  write_file_atomically(path, json.dump(2) + "\n");
}

ClassifierModel new_model(const BertConfig& config, BertTokenizer tokenizer, uint64_t seed,
                          LayoutOptions layout) {
  validate(config, "model config");
  if (tokenizer.vocab().size() > config.vocab_size)
    fail("the vocabulary has ", tokenizer.vocab().size(), " tokens but the model only ",
         config.vocab_size, " embeddings");
  ParameterBuffer params = make_parameters(config, layout);
  initialize_parameters(params, config, seed);
  return {config, std::move(params), std::move(tokenizer), {}};
}

ClassifierModel load_model(const std::filesystem::path& dir, const LoadModelOptions& options,
                           LoadModelReport* report) {
  LoadModelReport local;
  LoadModelReport& r = report ? *report : local;
  r = {};
  BertConfig config = load_checked_config(dir);
  const std::vector<std::string> checkpoint_labels = config.labels;
  const bool replace_head = options.labels && *options.labels != checkpoint_labels;
  if (options.labels) config.labels = *options.labels;

  BertTokenizer tokenizer = load_tokenizer(dir);
  if (tokenizer.vocab().size() > config.vocab_size)
    fail(tokenizer.vocab().source(), ": ", tokenizer.vocab().size(),
         " tokens but config.json's "
         "vocab_size is ",
         config.vocab_size, ": ids from ", config.vocab_size, " on would have no embedding");
  ClassifierModel model = new_model(config, std::move(tokenizer), options.seed, options.layout);
  r.weights = weights_file(dir);
  const TensorFile file = TensorFile::open(r.weights);
  if (file.metadata().contains("greenbert_precision") &&
      file.metadata().at("greenbert_precision") != "f32")
    fail(r.weights.string(), ": a ", file.metadata().at("greenbert_precision"),
         " quantized model: load it with the inference session, or quantize from the fp32 model");

  std::set<std::string, std::less<>> loaded;
  for (const NamedTensor& tensor : file.tensors()) {
    const auto canonical = canonical_name(tensor.name, config.model_type);
    const ParameterTensor* target = canonical ? model.params.layout().find(*canonical) : nullptr;
    if (target == nullptr) {
      if (!is_ignored_checkpoint_tensor(tensor.name, config.model_type))
        r.unused.push_back(tensor.name);
      continue;
    }
    if (replace_head && canonical->starts_with("classifier.")) {
      r.head_replaced = true;
      continue;
    }
    if (!loaded.insert(*canonical).second)
      fail(r.weights.string(), ": tensor ", tensor.name, ": a second tensor for ", *canonical);
    load_tensor(r.weights, tensor.name, tensor.view, *target, model.params);
  }
  for (const ParameterTensor& t : model.params.layout().tensors()) {
    if (loaded.contains(t.name)) continue;
    // HF's from_pretrained initialises a missing head (pooler, classifier) and says so; an
    // encoder tensor missing means a checkpoint of another shape, which must not pass.
    if (!is_head_tensor(t.name) && !is_masked_lm_tensor(t.name))
      fail(r.weights.string(), ": tensor ", checkpoint_name(t.name, config.model_type),
           " is missing (", loaded.size(), " of the model's tensors were found)");
    if (t.name.starts_with("classifier.") && !options.labels)
      fail(r.weights.string(), ": no classification head (", t.name,
           "); a pre-trained encoder needs the task's labels: use `greenbert train --init`");
    r.initialized.push_back(t.name);
  }
  model.thresholds =
      replace_head ? Thresholds{} : load_thresholds(dir / "thresholds.json", config.labels);
  return model;
}

ModelFiles load_model_files(const std::filesystem::path& dir) {
  BertConfig config = load_checked_config(dir);
  BertTokenizer tokenizer = load_tokenizer(dir);
  if (tokenizer.vocab().size() > config.vocab_size)
    fail(tokenizer.vocab().source(), ": ", tokenizer.vocab().size(),
         " tokens but config.json's vocab_size is ", config.vocab_size);
  Thresholds thresholds = load_thresholds(dir / "thresholds.json", config.labels);
  return {std::move(config), std::move(tokenizer), std::move(thresholds), weights_file(dir)};
}

void save_parameters(const std::filesystem::path& path, const BertConfig& config,
                     const ParameterBuffer& params) {
  std::vector<NamedTensor> tensors;
  for (const ParameterTensor& t : params.layout().tensors()) {
    const auto values = params.view(t);
    tensors.push_back(
        {checkpoint_name(t.name, config.model_type), {DType::F32, t.shape, std::as_bytes(values)}});
  }
  write_safetensors(path, tensors, {{"format", "pt"}, {"greenbert_precision", "f32"}});
}

void save_model(const std::filesystem::path& dir, const ClassifierModel& model) {
  std::filesystem::create_directories(dir);
  const Vocab& vocab = model.tokenizer.vocab();
  std::vector<std::string> tokens;
  tokens.reserve(static_cast<size_t>(vocab.size()));
  for (int32_t id = 0; id < vocab.size(); ++id) tokens.emplace_back(vocab.token(id));
  // Weights first and the small files after: a crash in between leaves the previous
  // description of the same architecture, which the new weights still fit.
  save_parameters(dir / "model.safetensors", model.config, model.params);
  save_config(dir / "config.json", model.config);
  write_vocab(dir / "vocab.txt", tokens);
  write_tokenizer_config(dir / "tokenizer_config.json", model.tokenizer.options());
  LabelMap(model.config.labels).save(dir / "labels.json");
  save_thresholds(dir / "thresholds.json", model.thresholds, model.config.labels);
}

std::string describe(const LoadModelReport& report) {
  std::string text;
  auto list = [](const std::vector<std::string>& names) {
    std::string joined;
    for (size_t i = 0; i < names.size() && i < 8; ++i) joined += (i ? ", " : "") + names[i];
    if (names.size() > 8) joined += cat(" and ", names.size() - 8, " more");
    return joined;
  };
  if (report.head_replaced)
    text += "the checkpoint's classifier was trained for other labels: replaced\n";
  if (!report.initialized.empty())
    text += cat("initialised fresh (not in ", report.weights.filename().string(),
                "): ", list(report.initialized), "\n");
  if (!report.unused.empty())
    text +=
        cat("not used from ", report.weights.filename().string(), ": ", list(report.unused), "\n");
  return text;
}

}  // namespace greenbert
