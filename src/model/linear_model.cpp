#include "model/linear_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "data/label_map.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "kernels/dropout.h"
#include "text/vocab_trainer.h"

namespace greenbert {
namespace {

constexpr const char* kFormat = "greenbert-linear";

// (a + 1, b) packed into 64 bits: never 0, the empty slot.
uint64_t bigram_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a) + 1) << 32) | static_cast<uint32_t>(b);
}

// Counts (index, count) of one token sequence, sorted by index, into `out`.
void count_features(const LinearModel& model, std::span<const int32_t> ids,
                    std::vector<Feature>& out) {
  out.clear();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= model.config.vocab_size)
      fail("token id ", ids[i], " is outside the linear model's ", model.config.vocab_size,
           "-token vocabulary");
    out.push_back({ids[i], 1.0f});
    if (i + 1 < ids.size())
      if (const int32_t bigram = model.bigrams.find(ids[i], ids[i + 1]); bigram >= 0)
        out.push_back({bigram, 1.0f});
  }
  std::sort(out.begin(), out.end(),
            [](const Feature& x, const Feature& y) { return x.index < y.index; });
  size_t kept = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (kept > 0 && out[kept - 1].index == out[i].index)
      out[kept - 1].weight += 1.0f;
    else
      out[kept++] = out[i];
  }
  out.resize(kept);
}

std::vector<float> tensor_values(const TensorFile& file, const std::string& name,
                                 const std::vector<int64_t>& shape) {
  const TensorView& view = file.at(name);
  if (view.dtype != DType::F32 || view.shape != shape)
    fail(file.path().string(), ": tensor ", name, ": ", dtype_name(view.dtype), " ",
         format_shape(view.shape), " but config.json needs F32 ", format_shape(shape));
  std::vector<float> values(static_cast<size_t>(view.numel()));
  std::memcpy(values.data(), view.bytes.data(), view.bytes.size());
  for (float v : values)
    if (!std::isfinite(v))
      fail(file.path().string(), ": tensor ", name, " holds a non-finite value");
  return values;
}

}  // namespace

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

int64_t LinearModel::parameter_count() const {
  return static_cast<int64_t>(input.size() + output_weight.size() + output_bias.size());
}

BigramIndex::BigramIndex(std::span<const int32_t> pairs, int64_t vocab_size) {
  const size_t n = pairs.size() / 2;
  size_t capacity = 16;
  while (capacity < 2 * n) capacity *= 2;  // at most half full
  keys_.assign(capacity, 0);
  values_.assign(capacity, -1);
  mask_ = capacity - 1;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t key = bigram_key(pairs[2 * i], pairs[2 * i + 1]);
    uint64_t slot = mix64(key) & mask_;
    while (keys_[slot] != 0 && keys_[slot] != key) slot = (slot + 1) & mask_;
    keys_[slot] = key;
    values_[slot] = static_cast<int32_t>(vocab_size + static_cast<int64_t>(i));
  }
}

int32_t BigramIndex::find(int32_t a, int32_t b) const {
  if (keys_.empty()) return -1;
  const uint64_t key = bigram_key(a, b);
  for (uint64_t slot = mix64(key) & mask_;; slot = (slot + 1) & mask_) {
    if (keys_[slot] == key) return values_[slot];
    if (keys_[slot] == 0) return -1;
  }
}

void choose_bigrams(LinearModel& model, const std::vector<std::span<const int32_t>>& documents,
                    int64_t max_bigrams, int64_t min_df) {
  std::unordered_map<uint64_t, int64_t> df;
  std::vector<uint64_t> keys;
  for (const auto& ids : documents) {
    keys.clear();
    for (size_t i = 0; i + 1 < ids.size(); ++i) keys.push_back(bigram_key(ids[i], ids[i + 1]));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (uint64_t key : keys) ++df[key];
  }
  std::vector<std::pair<int64_t, uint64_t>> ranked;  // (-df, key)
  for (const auto& [key, count] : df)
    if (count >= min_df) ranked.emplace_back(-count, key);
  std::sort(ranked.begin(), ranked.end());
  if (static_cast<int64_t>(ranked.size()) > max_bigrams) ranked.resize(size_t(max_bigrams));
  std::vector<uint64_t> chosen;
  for (const auto& [count, key] : ranked) chosen.push_back(key);
  std::sort(chosen.begin(), chosen.end());
  model.bigram_pairs.clear();
  for (uint64_t key : chosen) {
    model.bigram_pairs.push_back(static_cast<int32_t>((key >> 32) - 1));
    model.bigram_pairs.push_back(static_cast<int32_t>(key & 0xffffffffu));
  }
  model.config.bigrams = static_cast<int64_t>(chosen.size());
  model.bigrams = BigramIndex(model.bigram_pairs, model.config.vocab_size);
}

void linear_features(const LinearModel& model, std::span<const int32_t> ids,
                     std::vector<Feature>& out) {
  const LinearConfig& config = model.config;
  const std::vector<float>& idf = model.idf;
  count_features(model, ids, out);
  if (out.empty()) return;
  if (config.weighting == FeatureWeighting::mean) {
    float total = 0;
    for (const Feature& f : out) total += f.weight;
    for (Feature& f : out) f.weight /= total;
    return;
  }
  if (static_cast<int64_t>(idf.size()) != config.features())
    fail("tf-idf weighting needs one idf per feature (", config.features(), "), got ", idf.size());
  double squares = 0;
  for (Feature& f : out) {
    f.weight = (1.0f + std::log(f.weight)) * idf[size_t(f.index)];
    squares += static_cast<double>(f.weight) * f.weight;
  }
  const auto inverse_norm = static_cast<float>(1.0 / std::sqrt(squares));
  for (Feature& f : out) f.weight *= inverse_norm;
}

std::vector<float> inverse_document_frequency(
    const LinearModel& model, const std::vector<std::span<const int32_t>>& documents) {
  std::vector<int64_t> df(static_cast<size_t>(model.config.features()), 0);
  std::vector<Feature> features;
  for (const auto& ids : documents) {
    count_features(model, ids, features);
    for (const Feature& f : features) ++df[size_t(f.index)];
  }
  const double n = static_cast<double>(documents.size());
  std::vector<float> idf(df.size());
  for (size_t i = 0; i < df.size(); ++i)
    idf[i] = static_cast<float>(std::log((1.0 + n) / (1.0 + static_cast<double>(df[i]))) + 1.0);
  return idf;
}

void linear_forward(const LinearModel& model, std::span<const Feature> features,
                    std::span<float> hidden, std::span<float> logits) {
  const LinearConfig& c = model.config;
  const int64_t W = c.width(), L = c.num_labels();
  std::fill(hidden.begin(), hidden.end(), 0.0f);
  float* h = hidden.data();
  for (const Feature& f : features) {
    const float* row = model.input.data() + int64_t(f.index) * W;
    const float w = f.weight;
    for (int64_t j = 0; j < W; ++j) h[j] += w * row[j];
  }
  if (c.dim == 0) {
    for (int64_t l = 0; l < L; ++l) logits[size_t(l)] = h[l] + model.output_bias[size_t(l)];
    return;
  }
  for (int64_t l = 0; l < L; ++l) {
    const float* row = model.output_weight.data() + l * W;
    float sum = model.output_bias[size_t(l)];
    for (int64_t j = 0; j < W; ++j) sum += row[j] * h[j];
    logits[size_t(l)] = sum;
  }
}

void linear_forward(const LinearModel& model, const TokenBatch& batch, std::span<float> logits) {
  const int64_t B = batch.sequences(), L = model.config.num_labels();
  if (static_cast<int64_t>(logits.size()) < B * L)
    fail("linear model: room for ", logits.size(), " logits, ", B * L, " needed");
  // Checked here: an exception cannot leave the parallel region below.
  for (int32_t id : batch.input_ids)
    if (id < 0 || id >= model.config.vocab_size)
      fail("token id ", id, " is outside the linear model's ", model.config.vocab_size,
           "-token vocabulary");
#pragma omp parallel
  {
    thread_local std::vector<Feature> features;
    thread_local std::vector<float> hidden;
    hidden.resize(static_cast<size_t>(model.config.width()));
#pragma omp for schedule(static)
    for (int64_t s = 0; s < B; ++s) {
      const std::span<const int32_t> ids(batch.input_ids.data() + batch.seq_start[s],
                                         static_cast<size_t>(batch.length(s)));
      linear_features(model, ids, features);
      linear_forward(model, features, hidden,
                     logits.subspan(static_cast<size_t>(s * L), static_cast<size_t>(L)));
    }
  }
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
    c.vocab_size = j.at("vocab_size").get<int64_t>();
    c.bigrams = j.at("bigrams").get<int64_t>();
    c.dim = j.at("dim").get<int64_t>();
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

bool is_linear_model_dir(const std::filesystem::path& dir) {
  const auto path = dir / "config.json";
  if (!std::filesystem::exists(path)) return false;
  const auto json = read_json_file(path);
  return json.is_object() && json.value("model_type", "") == kLinearModelType;
}

void save_linear_model(const std::filesystem::path& dir, const LinearModel& model) {
  const LinearConfig& c = model.config;
  std::filesystem::create_directories(dir);
  std::vector<NamedTensor> tensors{
      {"input", {DType::F32, {c.features(), c.width()}, std::as_bytes(std::span(model.input))}},
      {"output.bias", {DType::F32, {c.num_labels()}, std::as_bytes(std::span(model.output_bias))}},
      {"bigrams", {DType::I32, {c.bigrams, 2}, std::as_bytes(std::span(model.bigram_pairs))}}};
  if (c.dim > 0)
    tensors.push_back(
        {"output.weight",
         {DType::F32, {c.num_labels(), c.dim}, std::as_bytes(std::span(model.output_weight))}});
  if (c.weighting == FeatureWeighting::tfidf)
    tensors.push_back({"idf", {DType::F32, {c.features()}, std::as_bytes(std::span(model.idf))}});
  write_safetensors(dir / "model.safetensors", tensors,
                    {{"format", kFormat}, {"version", std::to_string(kLinearFormatVersion)}});
  write_file_atomically(dir / "config.json", to_json(c).dump(2) + "\n");
  const Vocab& vocab = model.tokenizer.vocab();
  std::vector<std::string> tokens;
  for (int32_t id = 0; id < vocab.size(); ++id) tokens.emplace_back(vocab.token(id));
  write_vocab(dir / "vocab.txt", tokens);
  write_tokenizer_config(dir / "tokenizer_config.json", model.tokenizer.options());
  LabelMap(c.labels).save(dir / "labels.json");
  save_thresholds(dir / "thresholds.json", model.thresholds, c.labels);
}

LinearModel load_linear_model(const std::filesystem::path& dir) {
  const auto config_path = dir / "config.json";
  LinearConfig config = linear_config_from_json(read_json_file(config_path), config_path.string());
  if (std::filesystem::exists(dir / "labels.json") &&
      LabelMap::load(dir / "labels.json").names() != config.labels)
    fail(dir.string(), ": labels.json and config.json's id2label disagree");
  BertTokenizer tokenizer = load_tokenizer(dir);
  if (tokenizer.vocab().size() != config.vocab_size)
    fail(tokenizer.vocab().source(), ": ", tokenizer.vocab().size(),
         " tokens but config.json's vocab_size is ", config.vocab_size);
  const auto weights = dir / "model.safetensors";
  if (!std::filesystem::exists(weights)) fail(dir.string(), ": no model.safetensors");
  const TensorFile file = TensorFile::open(weights);
  auto meta = [&](const char* key) {
    const auto it = file.metadata().find(key);
    return it == file.metadata().end() ? std::string() : it->second;
  };
  if (meta("format") != kFormat)
    fail(weights.string(), ": not a ", kFormat, " weights file (metadata format '", meta("format"),
         "')");
  if (meta("version") != std::to_string(kLinearFormatVersion))
    fail(weights.string(), ": ", kFormat, " version '", meta("version"), "' is not ",
         kLinearFormatVersion);
  const size_t expected = 3 + (config.dim > 0) + (config.weighting == FeatureWeighting::tfidf);
  if (file.tensors().size() != expected)
    fail(weights.string(), ": ", file.tensors().size(), " tensors but config.json needs ",
         expected);
  LinearModel model{config, {}, {}, {}, {}, {}, {}, std::move(tokenizer), {}};
  const TensorView& pairs = file.at("bigrams");
  if (pairs.dtype != DType::I32 || pairs.shape != std::vector<int64_t>{config.bigrams, 2})
    fail(weights.string(), ": tensor bigrams: ", dtype_name(pairs.dtype), " ",
         format_shape(pairs.shape), " but config.json needs I32 [", config.bigrams, ", 2]");
  model.bigram_pairs.resize(static_cast<size_t>(2 * config.bigrams));
  std::memcpy(model.bigram_pairs.data(), pairs.bytes.data(), pairs.bytes.size());
  for (int32_t id : model.bigram_pairs)
    if (id < 0 || id >= config.vocab_size)
      fail(weights.string(), ": tensor bigrams: token id ", id, " is outside the vocabulary");
  model.bigrams = BigramIndex(model.bigram_pairs, config.vocab_size);
  model.input = tensor_values(file, "input", {config.features(), config.width()});
  model.output_bias = tensor_values(file, "output.bias", {config.num_labels()});
  if (config.dim > 0)
    model.output_weight = tensor_values(file, "output.weight", {config.num_labels(), config.dim});
  if (config.weighting == FeatureWeighting::tfidf)
    model.idf = tensor_values(file, "idf", {config.features()});
  model.thresholds = load_thresholds(dir / "thresholds.json", config.labels);
  return model;
}

}  // namespace greenbert
