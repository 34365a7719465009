// config.json (BERT and DistilBERT, HF's keys): parsed, validated, and a config that loads
// writes back to a config.json that loads as the same config.
#include "core/json_document.h"
#include "json_mutator.h"
#include "model/config.h"
#include "target.h"

namespace {
constexpr std::string_view kKeys[] = {"model_type",
                                      "bert",
                                      "distilbert",
                                      "hidden_act",
                                      "gelu",
                                      "gelu_new",
                                      "activation",
                                      "attention_probs_dropout_prob",
                                      "attention_dropout",
                                      "classifier_dropout",
                                      "dropout",
                                      "hidden_dropout_prob",
                                      "hidden_size",
                                      "dim",
                                      "hidden_dim",
                                      "id2label",
                                      "label2id",
                                      "initializer_range",
                                      "intermediate_size",
                                      "layer_norm_eps",
                                      "max_position_embeddings",
                                      "n_heads",
                                      "n_layers",
                                      "num_attention_heads",
                                      "num_hidden_layers",
                                      "num_labels",
                                      "pad_token_id",
                                      "position_embedding_type",
                                      "absolute",
                                      "relative_key",
                                      "seq_classif_dropout",
                                      "sinusoidal_pos_embds",
                                      "type_vocab_size",
                                      "vocab_size",
                                      "0",
                                      "1",
                                      "cs.LG"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  fuzz::read_or_refuse([&] {
    const BertConfig config =
        parse_config(parse_json(fuzz::as_text(data, size), "config.json"), "config.json");
    const nlohmann::ordered_json written = to_json(config);
    const BertConfig again =
        parse_config(nlohmann::json::parse(written.dump()), "written config.json");
    fuzz::require(to_json(again) == written, "config.json does not read back as written");
  });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
