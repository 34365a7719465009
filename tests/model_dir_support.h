#pragma once
// A tiny model directory's parts for the model directory tests: a 10-token vocabulary and a
// 2-layer, 8-wide architecture with three labels.
#include <string>
#include <vector>

#include "model/config.h"
#include "text/bert_tokenizer.h"
#include "tiny_bert_config.h"

namespace greenbert::testing {

inline BertTokenizer tiny_tokenizer() {
  std::vector<std::string> tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]",  "[MASK]",
                                  "the",   "model", "##s",   "energy", "."};
  return BertTokenizer(Vocab::from_tokens(tokens, "test vocab"), NormalizerOptions{});
}

inline BertConfig tiny_config(ModelType type = ModelType::bert) {
  BertConfig config = tiny_bert_config(type);
  config.labels = {"cs.CL", "cs.LG", "math.OC"};
  return config;
}

}  // namespace greenbert::testing
