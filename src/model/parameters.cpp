#include "model/parameters.h"

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "core/splitmix64.h"
#include "kernels/dropout.h"

namespace greenbert {

namespace {
constexpr int64_t kAlignFloats = static_cast<int64_t>(kTensorAlignment / sizeof(float));
}

int64_t ParameterLayout::add(std::string name, std::vector<int64_t> shape, TensorRole role,
                             bool aligned) {
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  if (aligned) buffer_size_ = (buffer_size_ + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
  tensors_.push_back({std::move(name), std::move(shape), buffer_size_, size, role});
  buffer_size_ += size;
  parameter_count_ += size;
  return tensors_.back().offset;
}

ParameterLayout::ParameterLayout(const BertConfig& config, LayoutOptions options) {
  validate(config, "model config");
  const int64_t C = config.hidden_size, I = config.intermediate_size;
  auto linear = [&](const std::string& prefix, int64_t out, int64_t in) {
    LinearOffsets o;
    o.weight = add(prefix + ".weight", {out, in}, TensorRole::weight);
    o.bias = add(prefix + ".bias", {out}, TensorRole::bias);
    return o;
  };
  auto norm = [&](const std::string& prefix) {
    NormOffsets o;
    o.weight = add(prefix + ".weight", {C}, TensorRole::norm_weight);
    o.bias = add(prefix + ".bias", {C}, TensorRole::norm_bias);
    return o;
  };

  embeddings.word =
      add("bert.embeddings.word_embeddings.weight", {config.vocab_size, C}, TensorRole::embedding);
  embeddings.position = add("bert.embeddings.position_embeddings.weight",
                            {config.max_position_embeddings, C}, TensorRole::embedding);
  if (config.has_token_types())
    embeddings.token_type = add("bert.embeddings.token_type_embeddings.weight",
                                {config.type_vocab_size, C}, TensorRole::embedding);
  embeddings.norm = norm("bert.embeddings.LayerNorm");

  for (int64_t l = 0; l < config.num_layers; ++l) {
    const std::string p = cat("bert.encoder.layer.", l, ".");
    LayerOffsets layer;
    // Q, K, V weights back to back, then their biases back to back: one (3C, C) Linear.
    layer.qkv.weight = add(p + "attention.self.query.weight", {C, C}, TensorRole::weight);
    add(p + "attention.self.key.weight", {C, C}, TensorRole::weight, false);
    add(p + "attention.self.value.weight", {C, C}, TensorRole::weight, false);
    layer.qkv.bias = add(p + "attention.self.query.bias", {C}, TensorRole::bias);
    add(p + "attention.self.key.bias", {C}, TensorRole::bias, false);
    add(p + "attention.self.value.bias", {C}, TensorRole::bias, false);
    layer.attention_output = linear(p + "attention.output.dense", C, C);
    layer.attention_norm = norm(p + "attention.output.LayerNorm");
    layer.ffn_in = linear(p + "intermediate.dense", I, C);
    layer.ffn_out = linear(p + "output.dense", C, I);
    layer.ffn_norm = norm(p + "output.LayerNorm");
    layers.push_back(layer);
  }
  head.dense = linear("bert.pooler.dense", C, C);
  head.classifier = linear("classifier", config.num_labels(), C);
  if (options.masked_lm_head) {
    masked_lm.transform = linear("cls.predictions.transform.dense", C, C);
    masked_lm.norm = norm("cls.predictions.transform.LayerNorm");
    masked_lm.decoder_bias = add("cls.predictions.bias", {config.vocab_size}, TensorRole::bias);
  }
  if (options.replaced_token_head) {
    replaced_token.dense = linear("discriminator_predictions.dense", C, C);
    replaced_token.prediction = linear("discriminator_predictions.dense_prediction", 1, C);
  }
  buffer_size_ = (buffer_size_ + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
}

const ParameterTensor* ParameterLayout::find(std::string_view name) const {
  for (const ParameterTensor& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const ParameterTensor& ParameterLayout::at(std::string_view name) const {
  const ParameterTensor* t = find(name);
  if (t == nullptr) fail("model has no parameter named '", name, "'");
  return *t;
}

ParameterBuffer::ParameterBuffer(std::shared_ptr<const ParameterLayout> layout)
    : layout_(std::move(layout)), values_(static_cast<size_t>(layout_->buffer_size())) {}

std::span<float> ParameterBuffer::view(const ParameterTensor& tensor) {
  return {values_.data() + tensor.offset, static_cast<size_t>(tensor.size)};
}

std::span<const float> ParameterBuffer::view(const ParameterTensor& tensor) const {
  return {values_.data() + tensor.offset, static_cast<size_t>(tensor.size)};
}

ParameterBuffer make_parameters(const BertConfig& config, LayoutOptions options) {
  return ParameterBuffer(std::make_shared<const ParameterLayout>(config, options));
}

namespace {

uint64_t name_hash(std::string_view name) {  // FNV-1a
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Element i of a counter-based N(0, 1) stream (Box-Muller on two 32-bit uniforms).
double standard_normal(uint64_t key, uint64_t i) {
  uint64_t bits = splitmix64_at(key, i);
  double u1 = (static_cast<double>(bits >> 32) + 1.0) / 4294967296.0;  // (0, 1]
  double u2 = static_cast<double>(bits & 0xffffffffu) / 4294967296.0;  // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace

void initialize_parameters(ParameterBuffer& params, const BertConfig& config, uint64_t seed) {
  params.zero();
  for (const ParameterTensor& t : params.layout().tensors()) {
    std::span<float> values = params.view(t);
    switch (t.role) {
      case TensorRole::bias:
      case TensorRole::norm_bias:
        break;
      case TensorRole::norm_weight:
        for (float& v : values) v = 1.0f;
        break;
      case TensorRole::weight:
      case TensorRole::embedding: {
        uint64_t key = splitmix64_mix(seed ^ name_hash(t.name));
        const int64_t n = static_cast<int64_t>(values.size());
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; ++i)
          values[i] = static_cast<float>(config.initializer_range *
                                         standard_normal(key, static_cast<uint64_t>(i)));
        break;
      }
    }
  }
  const ParameterTensor& word = params.layout().at("bert.embeddings.word_embeddings.weight");
  float* pad_row =
      params.at(word.offset) + static_cast<int64_t>(config.pad_token_id) * word.shape[1];
  for (int64_t c = 0; c < word.shape[1]; ++c) pad_row[c] = 0.0f;
}

}  // namespace greenbert
