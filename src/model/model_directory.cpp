#include "model/model_directory.h"

#include <algorithm>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"
#include "data/label_map.h"
#include "io/mapped_file.h"
#include "io/safetensors.h"
#include "model/linear_model.h"
#include "model/names.h"
#include "text/vocab_trainer.h"

namespace greenbert {
namespace {

namespace files = model_files;

bool is_head_tensor(std::string_view canonical) {
  return canonical.starts_with("classifier.") || canonical.starts_with("bert.pooler.");
}

// HF fast-tokenizer directories may ship tokenizer.json without vocab.txt: take the WordPiece
// vocabulary and the normalizer settings from it.
BertTokenizer tokenizer_from_json(const std::filesystem::path& path) {
  const auto json = read_json_file(path);
  if (!json.is_object()) fail(path.string(), ": not a JSON object");
  const auto& model = json.contains("model") ? json["model"] : nlohmann::json::object();
  if (!model.is_object() || !model.contains("type") || model["type"] != "WordPiece" ||
      !model.contains("vocab") || !model["vocab"].is_object())
    fail(path.string(), ": not a WordPiece tokenizer (model.type must be WordPiece)");
  std::vector<std::string> tokens(model["vocab"].size());
  for (const auto& [token, id] : model["vocab"].items()) {
    const auto index = json_integer<int32_t>(
        id, cat(path.string(), ": model.vocab: the id of token '", token.substr(0, 40), "'"));
    if (index < 0 || static_cast<size_t>(index) >= tokens.size() ||
        !tokens[static_cast<size_t>(index)].empty())
      fail(path.string(), ": model.vocab: token '", token.substr(0, 40),
           "' has a bad or repeated id");
    tokens[static_cast<size_t>(index)] = token;
  }
  NormalizerOptions options;
  if (json.contains("normalizer") && json["normalizer"].is_object()) {
    const auto& normalizer = json["normalizer"];
    auto flag = [&](const char* key, bool fallback) {
      if (!normalizer.contains(key) || normalizer[key].is_null()) return fallback;
      if (!normalizer[key].is_boolean())
        fail(path.string(), ": normalizer.", key, " must be true, false or null");
      return normalizer[key].get<bool>();
    };
    options.lowercase = flag("lowercase", true);
    options.strip_accents = flag("strip_accents", options.lowercase);
    options.split_cjk = flag("handle_chinese_chars", true);
  }
  return BertTokenizer(Vocab::from_tokens(std::move(tokens), path.string()), options);
}

BertTokenizer load_tokenizer(const std::filesystem::path& dir) {
  if (std::filesystem::exists(dir / files::kVocab))
    return BertTokenizer::from_file(dir / files::kVocab);
  if (std::filesystem::exists(dir / files::kTokenizerJson))
    return tokenizer_from_json(dir / files::kTokenizerJson);
  fail(dir.string(), ": no ", files::kVocab, " or ", files::kTokenizerJson);
}

std::optional<std::filesystem::path> weights_file(const std::filesystem::path& dir) {
  for (const char* name : {files::kWeights, files::kTorchWeights})
    if (std::filesystem::exists(dir / name)) return dir / name;
  return std::nullopt;
}

// A checkpoint without greenbert metadata (Hugging Face, PyTorch): every encoder tensor with the
// config's shape and a floating dtype; the head may be missing (a pre-trained encoder).
void check_checkpoint_tensors(const ModelWeights& weights, const BertConfig& config,
                              const std::string& label) {
  const ParameterLayout layout(config);
  size_t found = 0;
  for (const ParameterTensor& t : layout.tensors())
    found += weights.tensors.find(t.name) != nullptr;
  for (const ParameterTensor& t : layout.tensors()) {
    const TensorView* view = weights.tensors.find(t.name);
    auto named = weights.checkpoint_names.find(t.name);
    const std::string name = named == weights.checkpoint_names.end()
                                 ? checkpoint_name(t.name, config.model_type)
                                 : named->second;
    if (view == nullptr) {
      if (is_head_tensor(t.name)) continue;
      fail(label, ": tensor ", name, " is missing (", found, " of the model's tensors were found)");
    }
    if (!is_floating(view->dtype))
      fail(label, ": tensor ", name, ": dtype ", dtype_name(view->dtype),
           " is not a floating-point type");
    if (view->shape != t.shape)
      fail(label, ": tensor ", name, ": shape ", format_shape(view->shape),
           " but config.json needs ", format_shape(t.shape),
           name == t.name ? "" : cat(" (", t.name, ")"));
  }
  require_finite(weights.tensors.tensors, config.model_type, label);
}

ModelWeights open_weights(const std::filesystem::path& path, const BertConfig& config) {
  auto file = std::make_shared<const TensorFile>(TensorFile::open(path));
  const std::string label = path.string();
  ModelWeights w;
  w.path = path;
  w.bytes = std::filesystem::file_size(path);
  w.header = read_weights_header(file->metadata(), label);
  w.tensors.precision = w.header.precision;
  w.tensors.activations = w.header.activations;
  w.tensors.static_activations = w.header.static_activations;
  w.tensors.keep_alive.push_back(file);
  w.tensors.mapped = file->format() == "safetensors";
  const ParameterLayout layout(config);
  for (const NamedTensor& t : file->tensors()) {
    const auto canonical = weights_canonical_name(t.name, config.model_type);
    if (!canonical || (!w.header.greenbert && layout.find(*canonical) == nullptr &&
                       !is_masked_lm_tensor(*canonical))) {
      if (w.header.greenbert && !is_ignored_checkpoint_tensor(t.name, config.model_type))
        fail(label, ": tensor ", t.name, ": not a tensor of a ", model_type_name(config.model_type),
             " classifier");
      if (!is_ignored_checkpoint_tensor(t.name, config.model_type)) w.unused.push_back(t.name);
      continue;
    }
    if (!w.tensors.tensors.emplace(*canonical, t.view).second)
      fail(label, ": tensor ", t.name, ": a second tensor for ", *canonical);
    w.checkpoint_names.emplace(*canonical, t.name);
  }
  if (w.header.greenbert)
    check_model_tensors(w.tensors, config, label);
  else
    check_checkpoint_tensors(w, config, label);
  // The check faulted every page of the file in. The loaders read the encoder's weights next and
  // give their pages back as they pack or copy them, but the session reads the word embedding
  // table in place, a few rows at a time (infer/session.h): its pages go back now, or a load's
  // peak memory would grow by the whole table (94 MB for bert-base).
  if (const TensorView* words = w.tensors.find("bert.embeddings.word_embeddings.weight");
      words != nullptr && w.tensors.mapped)
    release_mapped_pages(words->bytes);
  return w;
}

// A linear model's weights (model/linear_model.h): its own tensors under the file's names.
ModelWeights open_linear_weights(const std::filesystem::path& path, const LinearConfig& config) {
  auto file = std::make_shared<const TensorFile>(TensorFile::open(path));
  ModelWeights w;
  w.path = path;
  w.bytes = std::filesystem::file_size(path);
  w.header.greenbert = true;
  w.header.version = kLinearFormatVersion;
  w.tensors.keep_alive.push_back(file);
  w.tensors.mapped = file->format() == "safetensors";
  for (const NamedTensor& t : file->tensors()) {
    if (!w.tensors.tensors.emplace(t.name, t.view).second)
      fail(path.string(), ": tensor ", t.name, " appears twice");
    w.checkpoint_names.emplace(t.name, t.name);
  }
  check_linear_weights(file->metadata(), w.tensors, config, path.string());
  return w;
}

void write_config(const std::filesystem::path& dir, const ModelDescription& description) {
  if (description.kind == ModelKind::linear)
    write_file_atomically(dir / files::kConfig, to_json(description.linear).dump(2) + "\n");
  else
    save_config(dir / files::kConfig, description.config);
}

void write_description(const std::filesystem::path& dir, const ModelDescription& description) {
  const BertConfig& config = description.config;
  const BertTokenizer& tokenizer = description.tokenizer;
  const Vocab& vocab = tokenizer.vocab();
  std::vector<std::string> tokens;
  tokens.reserve(static_cast<size_t>(vocab.size()));
  for (int32_t id = 0; id < vocab.size(); ++id) tokens.emplace_back(vocab.token(id));
  write_config(dir, description);
  write_vocab(dir / files::kVocab, tokens);
  write_tokenizer_config(dir / files::kTokenizerConfig, tokenizer.options());
  LabelMap(config.labels).save(dir / files::kLabels);
  save_thresholds(dir / files::kThresholds, description.thresholds, config.labels);
  if (!description.run_config.is_null()) save_run_config(dir, description.run_config);
}

void write_weights(const std::filesystem::path& dir, const ModelDescription& description,
                   const ModelTensors& weights) {
  const bool linear = description.kind == ModelKind::linear;
  std::vector<NamedTensor> named;
  named.reserve(weights.tensors.size());
  for (const auto& [name, view] : weights.tensors)
    named.push_back(
        {linear ? name : weights_checkpoint_name(name, description.config.model_type), view});
  write_safetensors(dir / files::kWeights, named,
                    linear ? linear_weights_metadata() : weights_metadata(weights));
}

}  // namespace

const char* model_kind_name(ModelKind kind) {
  return kind == ModelKind::linear ? "linear" : "encoder";
}

ModelDirectory ModelDirectory::open(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) fail(dir.string(), ": not a model directory");
  const auto config_path = dir / files::kConfig;
  const nlohmann::json config_json = read_json_file(config_path);
  const ModelKind kind = is_linear_config(config_json) ? ModelKind::linear : ModelKind::encoder;
  LinearConfig linear;
  BertConfig config;
  if (kind == ModelKind::linear) {
    linear = linear_config_from_json(config_json, config_path.string());
    config.labels = linear.labels;
    config.vocab_size = linear.vocab_size;
  } else {
    config = parse_config(config_json, config_path.string());
  }
  if (std::filesystem::exists(dir / files::kLabels)) {
    const auto names = LabelMap::load(dir / files::kLabels).names();
    if (names != config.labels)
      fail(dir.string(), ": labels.json and config.json's id2label disagree (", names.size(),
           " vs ", config.labels.size(), " labels)");
  }
  BertTokenizer tokenizer = load_tokenizer(dir);
  if (kind == ModelKind::linear && tokenizer.vocab().size() != config.vocab_size)
    fail(tokenizer.vocab().source(), ": ", tokenizer.vocab().size(),
         " tokens but config.json's vocab_size is ", config.vocab_size);
  if (tokenizer.vocab().size() > config.vocab_size)
    fail(tokenizer.vocab().source(), ": ", tokenizer.vocab().size(),
         " tokens but config.json's vocab_size is ", config.vocab_size, ": ids from ",
         config.vocab_size, " on would have no embedding");
  Thresholds thresholds = load_thresholds(dir / files::kThresholds, config.labels);
  nlohmann::json run_config = load_run_config(dir);
  int64_t run_max_length = 0;
  TextInput run_text = TextInput::abstract;
  const std::string run_file = (dir / files::kRunConfig).string();
  if (run_config.contains("max-length")) {
    run_max_length = json_integer<int64_t>(run_config["max-length"], run_file + ": max-length");
    if (run_max_length < 0) fail(run_file, ": max-length ", run_max_length, " is negative");
  }
  if (run_config.contains("text")) {
    const auto& text = run_config["text"];
    const auto parsed = text.is_string() ? parse_text_input(text.get<std::string>()) : std::nullopt;
    if (!parsed) fail(run_file, ": text must be \"abstract\" or \"title+abstract\"");
    run_text = *parsed;
  }
  std::optional<ModelWeights> weights;
  if (const auto file = weights_file(dir))
    weights = kind == ModelKind::linear ? open_linear_weights(*file, linear)
                                        : open_weights(*file, config);
  return {{kind, std::move(config), std::move(tokenizer), std::move(thresholds),
           std::move(run_config), run_max_length, run_text, std::move(linear)},
          dir,
          std::move(weights)};
}

const ModelWeights& ModelDirectory::require_weights() const {
  if (!weights)
    fail(path.string(), ": no ", files::kWeights, " or ", files::kTorchWeights,
         " (sharded checkpoints, *.index.json, are not supported)");
  return *weights;
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

ClassifierModel load_model(const ModelDirectory& dir, const LoadModelOptions& options,
                           LoadModelReport* report) {
  LoadModelReport local;
  LoadModelReport& r = report ? *report : local;
  r = {};
  if (dir.kind != ModelKind::encoder)
    fail(dir.path.string(), ": a ", model_kind_name(dir.kind),
         " model has no encoder parameters (model/linear_model.h loads it)");
  const ModelWeights& weights = dir.require_weights();
  if (weights.precision() != Precision::fp32)
    fail(weights.path.string(), ": a ", precision_name(weights.precision()),
         " quantized model: load it with the inference session, or quantize from the fp32 model");
  BertConfig config = dir.config;
  const bool replace_head = options.labels && *options.labels != config.labels;
  if (options.labels) config.labels = *options.labels;
  ClassifierModel model = new_model(config, dir.tokenizer, options.seed, options.layout);
  r.weights = weights.path;
  r.unused = weights.unused;

  std::set<std::string, std::less<>> loaded;
  for (const auto& [canonical, view] : weights.tensors.tensors) {
    const std::string& name = weights.checkpoint_names.at(canonical);
    const ParameterTensor* target = model.params.layout().find(canonical);
    if (target == nullptr) {
      r.unused.push_back(name);
      continue;
    }
    if (replace_head && canonical.starts_with("classifier.")) {
      r.head_replaced = true;
      continue;
    }
    // Opening checked the classifier's tensors; a masked-LM head is checked here.
    if (view.shape != target->shape)
      fail(weights.path.string(), ": tensor ", name, ": shape ", format_shape(view.shape),
           " but config.json needs ", format_shape(target->shape));
    const auto values = to_float32(view);
    std::copy(values.begin(), values.end(), model.params.view(*target).begin());
    loaded.insert(canonical);
  }
  for (const ParameterTensor& t : model.params.layout().tensors()) {
    if (loaded.contains(t.name)) continue;
    // HF's from_pretrained initialises a missing head (pooler, classifier) and says so.
    if (t.name.starts_with("classifier.") && !options.labels)
      fail(weights.path.string(), ": no classification head (", t.name,
           "); a pre-trained encoder needs the task's labels: use `greenbert train --init`");
    r.initialized.push_back(t.name);
  }
  model.thresholds = replace_head ? Thresholds{} : dir.thresholds;
  return model;
}

void save_model(const std::filesystem::path& dir, const ModelDescription& description,
                const ModelTensors* weights) {
  std::filesystem::create_directories(dir);
  if (weights != nullptr) write_weights(dir, description, *weights);
  write_description(dir, description);
}

void save_model(const std::filesystem::path& dir, const ClassifierModel& model) {
  const ModelDescription description{ModelKind::encoder, model.config, model.tokenizer,
                                     model.thresholds, nullptr};
  const ModelTensors weights = parameter_tensors(model.params);
  save_model(dir, description, &weights);
}

nlohmann::json load_run_config(const std::filesystem::path& dir, const char* file) {
  const auto path = dir / file;
  if (!std::filesystem::exists(path)) return nullptr;
  nlohmann::json run_config = read_json_file(path);
  if (!run_config.is_object()) fail(path.string(), ": not a JSON object");
  // Runs written before --split became --split-ratios: read as the new key, so they still
  // resume, and eval and predict still re-create their split.
  if (run_config.contains("split") && !run_config.contains("split-ratios")) {
    run_config["split-ratios"] = run_config["split"];
    run_config.erase("split");
  }
  return run_config;
}

void save_run_config(const std::filesystem::path& dir, const nlohmann::json& run_config,
                     const char* file) {
  write_file_atomically(dir / file, run_config.dump(2) + "\n");
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
