#pragma once
// Shared by the inference tests: small random models (BERT and DistilBERT), packed batches of
// varied lengths, and the fp32 training-path forward pass (model/bert.h) as ground truth.
#include <cstdint>
#include <random>
#include <vector>

#include "infer/packed_gemm.h"
#include "model/bert.h"
#include "model/parameters.h"

namespace greenbert::testing {

// How much coarser this CPU's int8 activations are than 8 bits: 2 without VNNI, where u8 codes
// stop at 127 (infer/packed_gemm.h). int8 error tolerances scale with it.
inline double int8_activation_step_factor() {
  return 255.0 / u8_activation_max();
}

// hidden 64, 4 heads of 16, intermediate 96: small, but every dimension a multiple of 16 (and D
// not a multiple of 32, which the AMX attention must pad).
inline BertConfig small_config(ModelType type, int64_t layers = 3) {
  BertConfig c;
  c.model_type = type;
  c.vocab_size = 97;
  c.hidden_size = 64;
  c.num_heads = 4;
  c.num_layers = layers;
  c.intermediate_size = 96;
  c.max_position_embeddings = 200;
  c.type_vocab_size = type == ModelType::bert ? 2 : 0;
  c.labels = {"a", "b", "c", "d", "e"};
  return c;
}

// Uniform values (LayerNorm weights around 1): larger than HF's init so that every
// non-linearity matters and logits are O(1).
inline ParameterBuffer random_parameters(const BertConfig& config, uint32_t seed,
                                         float range = 0.3f) {
  ParameterBuffer params = make_parameters(config);
  std::mt19937 rng(seed);
  for (const ParameterTensor& t : params.layout().tensors()) {
    const bool norm = t.role == TensorRole::norm_weight;
    std::uniform_real_distribution<float> dist(norm ? 0.5f : -range, norm ? 1.5f : range);
    for (float& v : params.view(t)) v = dist(rng);
  }
  return params;
}

// Sequences of the given lengths with random ids (and token types for BERT in the second half).
inline TokenBatch random_batch(const BertConfig& config, const std::vector<int>& lengths,
                               uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> id(0, static_cast<int32_t>(config.vocab_size - 1));
  TokenBatch batch;
  for (int length : lengths) {
    std::vector<int32_t> ids(static_cast<size_t>(length)), types(static_cast<size_t>(length), 0);
    for (int i = 0; i < length; ++i) {
      ids[static_cast<size_t>(i)] = id(rng);
      if (config.has_token_types() && i >= length / 2) types[static_cast<size_t>(i)] = 1;
    }
    batch.add_sequence(ids, types);
  }
  return batch;
}

// Logits (B, labels) of the training path's fp32 forward pass.
inline std::vector<float> reference_logits(const BertConfig& config, const ParameterBuffer& params,
                                           const TokenBatch& batch) {
  Activations acts(config, {batch.tokens(), batch.sequences(), batch.max_length()});
  std::vector<float> logits(static_cast<size_t>(batch.sequences() * config.num_labels()));
  forward(config, params, batch, {}, acts, logits);
  return logits;
}

}  // namespace greenbert::testing
