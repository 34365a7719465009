#include "model/linear_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/splitmix64.h"
#include "data/label_map.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "text/vocab_trainer.h"

namespace greenbert {
namespace {

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

}  // namespace

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
    uint64_t slot = splitmix64_mix(key) & mask_;
    while (keys_[slot] != 0 && keys_[slot] != key) slot = (slot + 1) & mask_;
    keys_[slot] = key;
    values_[slot] = static_cast<int32_t>(vocab_size + static_cast<int64_t>(i));
  }
}

int32_t BigramIndex::find(int32_t a, int32_t b) const {
  if (keys_.empty()) return -1;
  const uint64_t key = bigram_key(a, b);
  for (uint64_t slot = splitmix64_mix(key) & mask_;; slot = (slot + 1) & mask_) {
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

ModelTensors linear_tensors(const LinearModel& model) {
  const LinearConfig& c = model.config;
  ModelTensors tensors;
  auto add = [&](const char* name, DType dtype, std::vector<int64_t> shape, auto& values) {
    tensors.tensors.emplace(name,
                            TensorView{dtype, std::move(shape), std::as_bytes(std::span(values))});
  };
  add("input", DType::F32, {c.features(), c.width()}, model.input);
  add("output.bias", DType::F32, {c.num_labels()}, model.output_bias);
  add("bigrams", DType::I32, {c.bigrams, 2}, model.bigram_pairs);
  if (c.dim > 0) add("output.weight", DType::F32, {c.num_labels(), c.dim}, model.output_weight);
  if (c.weighting == FeatureWeighting::tfidf) add("idf", DType::F32, {c.features()}, model.idf);
  return tensors;
}

std::map<std::string, std::string> linear_weights_metadata() {
  return {{"format", kLinearModelType}, {"version", std::to_string(kLinearFormatVersion)}};
}

void check_linear_weights(const std::map<std::string, std::string>& metadata,
                          const ModelTensors& tensors, const LinearConfig& config,
                          const std::string& label) {
  auto meta = [&](const char* key) {
    const auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : it->second;
  };
  if (meta("format") != kLinearModelType)
    fail(label, ": not a ", kLinearModelType, " weights file (metadata format '", meta("format"),
         "')");
  if (meta("version") != std::to_string(kLinearFormatVersion))
    fail(label, ": ", kLinearModelType, " version '", meta("version"), "' is not ",
         kLinearFormatVersion);
  const std::map<std::string, std::pair<DType, std::vector<int64_t>>> needed = [&] {
    std::map<std::string, std::pair<DType, std::vector<int64_t>>> n{
        {"input", {DType::F32, {config.features(), config.width()}}},
        {"output.bias", {DType::F32, {config.num_labels()}}},
        {"bigrams", {DType::I32, {config.bigrams, 2}}}};
    if (config.dim > 0) n["output.weight"] = {DType::F32, {config.num_labels(), config.dim}};
    if (config.weighting == FeatureWeighting::tfidf) n["idf"] = {DType::F32, {config.features()}};
    return n;
  }();
  if (tensors.tensors.size() != needed.size())
    fail(label, ": ", tensors.tensors.size(), " tensors but config.json needs ", needed.size());
  for (const auto& [name, spec] : needed) {
    const TensorView* view = tensors.find(name);
    if (view == nullptr) fail(label, ": no tensor ", name);
    if (view->dtype != spec.first || view->shape != spec.second)
      fail(label, ": tensor ", name, ": ", dtype_name(view->dtype), " ", format_shape(view->shape),
           " but config.json needs ", dtype_name(spec.first), " ", format_shape(spec.second));
  }
  const TensorView& pairs = tensors.at("bigrams");
  const auto* ids = reinterpret_cast<const int32_t*>(pairs.bytes.data());
  for (size_t i = 0; i < pairs.bytes.size() / sizeof(int32_t); ++i)
    if (ids[i] < 0 || ids[i] >= config.vocab_size)
      fail(label, ": tensor bigrams: token id ", ids[i], " is outside the vocabulary");
  require_finite(tensors.tensors, ModelType::bert, label);
}

void save_linear_model(const std::filesystem::path& dir, const LinearModel& model) {
  BertConfig config;
  config.labels = model.config.labels;
  config.vocab_size = model.config.vocab_size;
  const ModelDescription description{ModelKind::linear,   std::move(config), model.tokenizer,
                                     model.thresholds,    nullptr,           0,
                                     TextInput::abstract, model.config};
  const ModelTensors tensors = linear_tensors(model);
  save_model(dir, description, &tensors);
}

LinearModel load_linear_model(const ModelDirectory& dir) {
  if (dir.kind != ModelKind::linear)
    fail(dir.path.string(), ": a ", model_kind_name(dir.kind), " model, not a linear one");
  const ModelTensors& tensors = dir.require_weights().tensors;
  auto values = [&](const char* name) {
    const TensorView& view = tensors.at(name);
    std::vector<float> out(view.bytes.size() / sizeof(float));
    std::memcpy(out.data(), view.bytes.data(), view.bytes.size());
    return out;
  };
  const LinearConfig& config = dir.linear;
  LinearModel model{config, {}, {}, {}, {}, {}, {}, dir.tokenizer, dir.thresholds};
  const TensorView& pairs = tensors.at("bigrams");
  model.bigram_pairs.resize(pairs.bytes.size() / sizeof(int32_t));
  std::memcpy(model.bigram_pairs.data(), pairs.bytes.data(), pairs.bytes.size());
  model.bigrams = BigramIndex(model.bigram_pairs, config.vocab_size);
  model.input = values("input");
  model.output_bias = values("output.bias");
  if (config.dim > 0) model.output_weight = values("output.weight");
  if (config.weighting == FeatureWeighting::tfidf) model.idf = values("idf");
  return model;
}

}  // namespace greenbert
