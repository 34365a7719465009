#pragma once
// All parameters of a model in ONE contiguous, 64-byte aligned float buffer, with named views
// under Hugging Face's BERT names ("bert.encoder.layer.0.attention.self.query.weight", ...;
// nn.Linear weights stored (out, in) as HF does). Gradients and AdamW moments are
// ParameterBuffers over the same layout, so the optimizer step, gradient clipping and
// checkpointing are single loops over `layout().tensors()`.
//
// Buffer order (names stay HF's): query, key and value weights are adjacent, forming one
// (3C, C) matrix, and so are their biases, so Q, K, V come out of one GEMM with N = 3C. Every
// other tensor starts on a 64-byte boundary; the gaps are zero and stay zero under AdamW.
// DistilBERT uses the same canonical (BERT) names; model/names.h maps checkpoint names.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "tensor/aligned_array.h"

namespace greenbert {

// What a tensor is, which decides its initialisation and whether weight decay applies.
enum class TensorRole { weight, bias, embedding, norm_weight, norm_bias };

struct ParameterTensor {
  std::string name;            // canonical (HF BERT) name
  std::vector<int64_t> shape;  // HF's shape: (out, in) for Linear, (rows, C) for embeddings
  int64_t offset = 0;          // in floats from the start of the buffer
  int64_t size = 0;            // number of values (product of shape)
  TensorRole role = TensorRole::weight;

  // HF's convention (and AdamW's no_decay list): no decay on biases and LayerNorm parameters.
  bool weight_decay() const { return role == TensorRole::weight || role == TensorRole::embedding; }
};

// Offsets (in floats) of the tensors the model code reads, so the hot path never looks up names.
struct LinearOffsets {
  int64_t weight = -1, bias = -1;
};
struct NormOffsets {
  int64_t weight = -1, bias = -1;
};
struct EmbeddingOffsets {
  int64_t word = -1, position = -1, token_type = -1;  // token_type -1 without token types
  NormOffsets norm;
};
struct LayerOffsets {
  LinearOffsets qkv;  // weight (3C, C) = [query; key; value], bias (3C)
  LinearOffsets attention_output;
  NormOffsets attention_norm;
  LinearOffsets ffn_in;   // intermediate.dense (I, C)
  LinearOffsets ffn_out;  // output.dense (C, I)
  NormOffsets ffn_norm;
};
struct HeadOffsets {
  LinearOffsets dense;       // BERT pooler (tanh) / DistilBERT pre_classifier (ReLU), (C, C)
  LinearOffsets classifier;  // (labels, C)
};
// HF's BertLMPredictionHead (cls.predictions.*): dense + GELU + LayerNorm, then a decoder whose
// weight is the word embedding matrix (tied, not stored twice) plus its own bias (vocab).
struct MaskedLmOffsets {
  LinearOffsets transform;  // (C, C)
  NormOffsets norm;
  int64_t decoder_bias = -1;  // (vocab)
};

// ELECTRA's discriminator head (HF ElectraDiscriminatorPredictions, discriminator_predictions.*):
// dense + GELU, then one logit per token: was this token replaced?
struct ReplacedTokenOffsets {
  LinearOffsets dense;       // (C, C)
  LinearOffsets prediction;  // (1, C)
};

struct LayoutOptions {
  bool masked_lm_head = false;       // add cls.predictions.* for masked-language-model training
  bool replaced_token_head = false;  // add discriminator_predictions.* for ELECTRA pre-training
};

class ParameterLayout {
 public:
  explicit ParameterLayout(const BertConfig& config, LayoutOptions options = {});

  std::span<const ParameterTensor> tensors() const { return tensors_; }
  const ParameterTensor* find(std::string_view name) const;  // nullptr when absent
  const ParameterTensor& at(std::string_view name) const;    // throws greenbert::Error
  int64_t buffer_size() const { return buffer_size_; }       // floats, gaps included
  int64_t parameter_count() const { return parameter_count_; }

  EmbeddingOffsets embeddings;
  std::vector<LayerOffsets> layers;
  HeadOffsets head;
  MaskedLmOffsets masked_lm;  // offsets -1 unless built with masked_lm_head
  bool has_masked_lm_head() const { return masked_lm.decoder_bias >= 0; }
  ReplacedTokenOffsets replaced_token;  // offsets -1 unless built with replaced_token_head
  bool has_replaced_token_head() const { return replaced_token.prediction.bias >= 0; }

 private:
  int64_t add(std::string name, std::vector<int64_t> shape, TensorRole role, bool aligned = true);

  std::vector<ParameterTensor> tensors_;
  int64_t buffer_size_ = 0;
  int64_t parameter_count_ = 0;
};

class ParameterBuffer {
 public:
  explicit ParameterBuffer(std::shared_ptr<const ParameterLayout> layout);
  // A zero buffer over the same layout (gradients, AdamW moments).
  static ParameterBuffer zeros_like(const ParameterBuffer& other) {
    return ParameterBuffer(other.layout_);
  }

  const ParameterLayout& layout() const { return *layout_; }
  const std::shared_ptr<const ParameterLayout>& shared_layout() const { return layout_; }
  float* data() { return values_.data(); }
  const float* data() const { return values_.data(); }
  int64_t size() const { return static_cast<int64_t>(values_.size()); }
  float* at(int64_t offset) { return values_.data() + offset; }
  const float* at(int64_t offset) const { return values_.data() + offset; }

  std::span<float> view(const ParameterTensor& tensor);
  std::span<const float> view(const ParameterTensor& tensor) const;
  std::span<float> view(std::string_view name) { return view(layout_->at(name)); }
  std::span<const float> view(std::string_view name) const { return view(layout_->at(name)); }

  void zero() { values_.zero(); }

 private:
  std::shared_ptr<const ParameterLayout> layout_;
  AlignedArray<float> values_;
};

// A fresh parameter buffer for `config`.
ParameterBuffer make_parameters(const BertConfig& config, LayoutOptions options = {});

// HF's initialisation, deterministic for a seed and independent of the buffer order: Linear
// weights and embeddings ~ N(0, initializer_range²), biases 0, LayerNorm 1 and 0, the word
// embedding row of pad_token_id 0.
void initialize_parameters(ParameterBuffer& params, const BertConfig& config, uint64_t seed);

}  // namespace greenbert
