// BertConfig: HF config.json parsing (BERT, DistilBERT, legacy), serialisation round trips,
// presets, and clear errors for what is not supported or inconsistent.
#include <gtest/gtest.h>

#include "core/error.h"
#include "model/config.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  try {
    parse_config(j, "config.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// distilbert-base-uncased's config.json as published by HF.
const char* kDistilbertBase = R"({
  "activation": "gelu", "architectures": ["DistilBertForMaskedLM"], "attention_dropout": 0.1,
  "dim": 768, "dropout": 0.1, "hidden_dim": 3072, "initializer_range": 0.02,
  "max_position_embeddings": 512, "model_type": "distilbert", "n_heads": 12, "n_layers": 6,
  "pad_token_id": 0, "qa_dropout": 0.1, "seq_classif_dropout": 0.2,
  "sinusoidal_pos_embds": false, "tie_weights_": true, "transformers_version": "4.10.0.dev0",
  "vocab_size": 30522})";

TEST(Config, ReadsTheTinyRandomHfCheckpointConfig) {
  GREENBERT_SHARED_PATH(path, "models/tiny-bert-safetensors/config.json");
  BertConfig c = load_config(path);
  EXPECT_EQ(c.model_type, ModelType::bert);
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.num_layers, 5);
  EXPECT_EQ(c.num_heads, 4);
  EXPECT_EQ(c.intermediate_size, 37);
  EXPECT_EQ(c.vocab_size, 1124);
  EXPECT_EQ(c.type_vocab_size, 16);
  EXPECT_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_FALSE(c.classifier_dropout.has_value());
  EXPECT_EQ(c.num_labels(), 2);  // HF's default without id2label
  EXPECT_EQ(c.labels[1], "LABEL_1");
}

TEST(Config, ReadsBertTinyAndLegacyConfigs) {
  GREENBERT_SHARED_PATH(tiny, "models/bert-tiny-config/config.json");
  BertConfig c = load_config(tiny);
  EXPECT_EQ(c.hidden_size, 128);
  EXPECT_EQ(c.num_layers, 2);
  EXPECT_EQ(c.intermediate_size, 512);
  GREENBERT_SHARED_PATH(camphr, "models/camphr-bert-test/config.json");
  BertConfig old = load_config(camphr);
  EXPECT_EQ(old.hidden_size, 2);
  EXPECT_EQ(old.labels, (std::vector<std::string>{"LABEL_0", "LABEL_1"}));
}

TEST(Config, ReadsDistilbert) {
  BertConfig c = parse_config(json::parse(kDistilbertBase), "config.json");
  EXPECT_EQ(c.model_type, ModelType::distilbert);
  EXPECT_EQ(c.hidden_size, 768);
  EXPECT_EQ(c.num_layers, 6);
  EXPECT_EQ(c.intermediate_size, 3072);
  EXPECT_EQ(c.type_vocab_size, 0);
  EXPECT_EQ(c.head_dropout(), 0.2);
  EXPECT_FALSE(c.dropout_after_attention());
}

TEST(Config, RoundTripsThroughHfJson) {
  for (const std::string& name : preset_names()) {
    BertConfig c = preset_config(name);
    c.labels = {"cs.LG", "cs.AI", "stat.ML"};
    c.hidden_dropout = 0.15;
    json written = json::parse(to_json(c).dump());
    EXPECT_EQ(written["problem_type"], "multi_label_classification");
    EXPECT_EQ(written["id2label"]["2"], "stat.ML");
    EXPECT_EQ(written["label2id"]["cs.AI"], 1);
    BertConfig back = parse_config(written, name);
    EXPECT_EQ(back.model_type, c.model_type) << name;
    EXPECT_EQ(back.hidden_size, c.hidden_size) << name;
    EXPECT_EQ(back.num_layers, c.num_layers) << name;
    EXPECT_EQ(back.num_heads, c.num_heads) << name;
    EXPECT_EQ(back.intermediate_size, c.intermediate_size) << name;
    EXPECT_EQ(back.type_vocab_size, c.type_vocab_size) << name;
    EXPECT_EQ(back.hidden_dropout, 0.15) << name;
    EXPECT_EQ(back.head_dropout(), c.head_dropout()) << name;
    EXPECT_EQ(back.labels, c.labels) << name;
  }
  BertConfig bert = preset_config("bert-tiny");
  EXPECT_EQ(to_json(bert)["architectures"][0], "BertForSequenceClassification");
  EXPECT_EQ(to_json(preset_config("distilbert"))["architectures"][0],
            "DistilBertForSequenceClassification");
}

TEST(Config, SavesAndLoadsAFile) {
  auto dir = testing::temp_dir("config");
  BertConfig c = preset_config("tinybert");
  c.labels = {"x", "y"};
  save_config(dir / "config.json", c);
  BertConfig back = load_config(dir / "config.json");
  EXPECT_EQ(back.hidden_size, 312);
  EXPECT_EQ(back.labels, c.labels);
}

TEST(Config, PresetsHaveThePublishedShapes) {
  struct Shape {
    const char* name;
    int64_t layers, hidden, heads, intermediate;
  };
  for (Shape s : {Shape{"bert-base", 12, 768, 12, 3072}, Shape{"distilbert", 6, 768, 12, 3072},
                  Shape{"tinybert", 4, 312, 12, 1200}, Shape{"bert-tiny", 2, 128, 2, 512},
                  Shape{"bert-mini", 4, 256, 4, 1024}, Shape{"bert-small", 4, 512, 8, 2048}}) {
    BertConfig c = preset_config(s.name);
    EXPECT_EQ(c.num_layers, s.layers) << s.name;
    EXPECT_EQ(c.hidden_size, s.hidden) << s.name;
    EXPECT_EQ(c.num_heads, s.heads) << s.name;
    EXPECT_EQ(c.intermediate_size, s.intermediate) << s.name;
    EXPECT_EQ(c.vocab_size, 30522);
    EXPECT_EQ(c.max_position_embeddings, 512);
  }
  EXPECT_EQ(preset_config("distilbert").model_type, ModelType::distilbert);
  EXPECT_THROW(preset_config("gpt2"), Error);
}

TEST(Config, RecognisesConfigsWithoutModelType) {
  json google = {{"hidden_size", 256},        {"num_hidden_layers", 4}, {"num_attention_heads", 4},
                 {"intermediate_size", 1024}, {"vocab_size", 30522},    {"hidden_act", "gelu"}};
  EXPECT_EQ(parse_config(google, "bert_config.json").hidden_size, 256);
}

TEST(Config, ExplainsWhatIsNotSupportedOrInconsistent) {
  json base = to_json(preset_config("bert-tiny"));
  auto with = [&](const char* key, json value) {
    json j = base;
    if (std::string(key) == "id2label") j.erase("label2id");  // test id2label on its own
    j[key] = value;
    return error_of(j);
  };
  auto has = [](const std::string& error, const std::string& needle) {
    return error.find(needle) != std::string::npos;
  };
  EXPECT_TRUE(has(with("num_attention_heads", 3), "not divisible"))
      << with("num_attention_heads", 3);
  EXPECT_TRUE(has(with("hidden_act", "gelu_new"), "hidden_act 'gelu_new' is not supported"));
  EXPECT_TRUE(has(with("hidden_act", "relu"), "not supported"));
  EXPECT_TRUE(has(with("model_type", "roberta"), "model_type 'roberta' is not supported"));
  EXPECT_TRUE(has(with("position_embedding_type", "relative_key"), "relative_key"));
  EXPECT_TRUE(has(with("hidden_size", -4), "hidden size"));
  EXPECT_TRUE(has(with("hidden_size", "768"), "'hidden_size' must be an integer"));
  EXPECT_TRUE(has(with("hidden_size", 76.5), "'hidden_size' must be an integer"));
  // Beyond int64_t (found by fuzz_config_json: the cast was undefined behaviour).
  EXPECT_TRUE(has(with("hidden_size", 1e300), "'hidden_size' is 1e+300, outside"));
  EXPECT_TRUE(has(with("num_hidden_layers", json(UINT64_MAX)), "outside"));
  EXPECT_TRUE(has(with("hidden_dropout_prob", 1.0), "hidden dropout"));
  EXPECT_TRUE(has(with("vocab_size", 1'000'000'000), "vocab_size"));
  EXPECT_TRUE(has(with("pad_token_id", 40000), "pad_token_id"));
  EXPECT_TRUE(has(with("type_vocab_size", 0), "type_vocab_size"));
  EXPECT_TRUE(has(with("id2label", json{{"0", "a"}, {"2", "b"}}), "id2label key '2'"));
  EXPECT_TRUE(has(with("id2label", json{{"0", "a"}, {"1", "a"}}), "appears twice"));
  EXPECT_TRUE(has(with("label2id", json{{"LABEL_0", 1}, {"LABEL_1", 0}}), "does not match"));
  EXPECT_TRUE(has(with("num_labels", 5), "num_labels is 5 but id2label has 2"));
  EXPECT_TRUE(has(error_of(json::array()), "must be a JSON object"));
  EXPECT_TRUE(has(error_of(json{{"foo", 1}}), "no model_type"));
  json distil = json::parse(kDistilbertBase);
  distil["sinusoidal_pos_embds"] = true;
  EXPECT_TRUE(has(error_of(distil), "sinusoidal_pos_embds"));
  distil = json::parse(kDistilbertBase);
  distil["activation"] = "relu";
  EXPECT_TRUE(has(error_of(distil), "activation 'relu' is not supported"));
  EXPECT_TRUE(has(error_of(base), "") && error_of(base).empty());
}

TEST(Config, ReportsTheFileForBadJson) {
  auto dir = testing::temp_dir("config-bad");
  std::ofstream(dir / "config.json") << "{\"hidden_size\": ";
  try {
    load_config(dir / "config.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config.json: not valid JSON"), std::string::npos);
  }
}

}  // namespace
}  // namespace greenbert
