#pragma once
// The smallest model the tests and the fuzz targets build: a BERT (or DistilBERT) 8 wide in 2
// heads, 2 layers, a 12-wide feed-forward, 16 tokens, 32 positions, token types for BERT only; a
// forward pass takes microseconds. Callers set their labels, and whatever else they need, on
// the copy. Test support, not library code (nothing a user runs needs a model this small):
// fuzz/CMakeLists.txt puts this folder on the fuzz targets' include path.
#include "model/config.h"

namespace greenbert::testing {

inline BertConfig tiny_bert_config(ModelType type = ModelType::bert) {
  BertConfig config;
  config.model_type = type;
  config.vocab_size = 16;
  config.hidden_size = 8;
  config.num_heads = 2;
  config.num_layers = 2;
  config.intermediate_size = 12;
  config.max_position_embeddings = 32;
  config.type_vocab_size = type == ModelType::bert ? 2 : 0;
  return config;
}

}  // namespace greenbert::testing
