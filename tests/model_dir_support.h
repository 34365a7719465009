#pragma once
// A tiny model directory's parts for the model directory tests: a 10-token vocabulary and a
// 2-layer, 8-wide architecture with three labels.
#include <string>
#include <vector>

#include "model/config.h"
#include "text/bert_tokenizer.h"

namespace greenbert::testing {

inline BertTokenizer tiny_tokenizer() {
  std::vector<std::string> tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]",  "[MASK]",
                                  "the",   "model", "##s",   "energy", "."};
  return BertTokenizer(Vocab::from_tokens(tokens, "test vocab"), NormalizerOptions{});
}

inline BertConfig tiny_config(ModelType type = ModelType::bert) {
  BertConfig config = preset_config("bert-tiny");
  config.model_type = type;
  config.vocab_size = 16;
  config.hidden_size = 8;
  config.num_heads = 2;
  config.intermediate_size = 12;
  config.num_layers = 2;
  config.max_position_embeddings = 32;
  config.type_vocab_size = type == ModelType::bert ? 2 : 0;
  config.labels = {"cs.CL", "cs.LG", "math.OC"};
  return config;
}

}  // namespace greenbert::testing
