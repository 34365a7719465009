// Model directories: our own round trip, and the Hugging Face checkpoints in ../shared/models
// with the ways they differ from ours (no head, legacy names, tokenizer.json only, bad vocab).
#include <gtest/gtest.h>

#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "model/model_directory.h"
#include "model_dir_support.h"
#include "support.h"

namespace greenbert {
namespace {

using testing::tiny_config;
using testing::tiny_tokenizer;

void expect_same_parameters(const ParameterBuffer& a, const ParameterBuffer& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), static_cast<size_t>(a.size()) * sizeof(float)), 0);
}

class ModelDirRoundTrip : public ::testing::TestWithParam<ModelType> {};

TEST_P(ModelDirRoundTrip, SavesAndLoadsEveryFileBitExactly) {
  const auto dir = testing::temp_dir(cat("model-dir-", model_type_name(GetParam())));
  ClassifierModel model = new_model(tiny_config(GetParam()), tiny_tokenizer(), 7);
  model.thresholds = {0.35f, {0.3f, 0.4f, 0.5f}, true};
  save_model(dir, model);

  LoadModelReport report;
  const ClassifierModel loaded = load_model(ModelDirectory::open(dir), {}, &report);
  EXPECT_EQ(describe(report), "");
  expect_same_parameters(model.params, loaded.params);
  EXPECT_EQ(loaded.config.labels, model.config.labels);
  EXPECT_EQ(loaded.config.model_type, GetParam());
  EXPECT_EQ(loaded.tokenizer.vocab().size(), 10);
  EXPECT_EQ(loaded.thresholds.global, 0.35f);
  EXPECT_EQ(loaded.thresholds.per_label, model.thresholds.per_label);
  EXPECT_EQ(loaded.thresholds.effective().size(), 3u);

  // Tensor names are the family's own, as HF's from_pretrained expects.
  const auto names = TensorFile::open(dir / "model.safetensors").names();
  const char* expected = GetParam() == ModelType::bert
                             ? "bert.encoder.layer.1.attention.self.query.weight"
                             : "distilbert.transformer.layer.1.attention.q_lin.weight";
  EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end());
}

INSTANTIATE_TEST_SUITE_P(Families, ModelDirRoundTrip,
                         ::testing::Values(ModelType::bert, ModelType::distilbert));

TEST(ModelDir, OtherLabelsReplaceTheHeadAndKeepTheEncoder) {
  const auto dir = testing::temp_dir("model-dir-relabel");
  const ClassifierModel model = new_model(tiny_config(ModelType::bert), tiny_tokenizer(), 7);
  save_model(dir, model);
  LoadModelOptions options;
  options.labels = std::vector<std::string>{"a", "b"};
  LoadModelReport report;
  const ClassifierModel relabelled = load_model(ModelDirectory::open(dir), options, &report);
  EXPECT_TRUE(report.head_replaced);
  EXPECT_EQ(relabelled.params.layout().at("classifier.weight").shape, (std::vector<int64_t>{2, 8}));
  const auto name = "bert.encoder.layer.0.output.dense.weight";
  auto a = model.params.view(name), b = relabelled.params.view(name);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin()));
  EXPECT_EQ(relabelled.thresholds.global, 0.5f);  // tuned for the old labels: not kept
}

TEST(ModelDir, MissingEncoderTensorAndBadShapesAreNamed) {
  const auto dir = testing::temp_dir("model-dir-broken");
  const ClassifierModel model = new_model(tiny_config(ModelType::bert), tiny_tokenizer(), 7);
  save_model(dir, model);
  // Rewrite the weights without one encoder tensor, then with a wrong shape.
  const auto original = TensorFile::open(dir / "model.safetensors");
  std::vector<NamedTensor> kept;
  for (const auto& t : original.tensors())
    if (t.name != "bert.encoder.layer.1.intermediate.dense.bias") kept.push_back(t);
  write_safetensors(dir / "missing.safetensors", kept);
  std::filesystem::rename(dir / "missing.safetensors", dir / "model.safetensors");
  try {
    load_model(ModelDirectory::open(dir));
    FAIL() << "loaded a model without an encoder tensor";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bert.encoder.layer.1.intermediate.dense.bias is missing"),
              std::string::npos)
        << e.what();
  }
  save_model(dir, model);
  BertConfig wider = model.config;
  wider.intermediate_size = 16;
  save_config(dir / "config.json", wider);
  try {
    load_model(ModelDirectory::open(dir));
    FAIL() << "loaded weights of the wrong shape";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "intermediate.dense.weight: shape [12, 8] but config.json needs [16, 8]"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelDir, CorruptThresholdsAreRejected) {
  const auto dir = testing::temp_dir("model-dir-thresholds");
  save_model(dir, new_model(tiny_config(ModelType::bert), tiny_tokenizer(), 7));
  write_file_atomically(dir / "thresholds.json",
                        R"({"format": "greenbert-thresholds", "version": 1, "global": 1.5})");
  EXPECT_THROW(load_model(ModelDirectory::open(dir)), Error);
  write_file_atomically(dir / "thresholds.json", "not json");
  EXPECT_THROW(load_model(ModelDirectory::open(dir)), Error);
}

TEST(ModelDir, PretrainedEncoderNeedsLabelsAndGetsAFreshHead) {
  // camphr-bert-test: a legacy-format BertModel (no "bert." prefix, no classifier), cased.
  GREENBERT_SHARED_PATH(dir, "models/camphr-bert-test");
  try {
    load_model(ModelDirectory::open(dir));
    FAIL() << "a model without a classifier loaded without labels";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no classification head"), std::string::npos) << e.what();
  }
  LoadModelOptions options;
  options.labels = std::vector<std::string>{"cs.CL", "cs.LG"};
  LoadModelReport report;
  const ClassifierModel model = load_model(ModelDirectory::open(dir), options, &report);
  EXPECT_EQ(report.initialized, (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  EXPECT_FALSE(model.tokenizer.options().lowercase);
  EXPECT_EQ(model.config.num_labels(), 2);
}

TEST(ModelDir, VocabularyLargerThanTheEmbeddingIsRejected) {
  // camphr-ner-bert: vocab.txt has 405 tokens, the embedding 402 rows.
  GREENBERT_SHARED_PATH(dir, "models/camphr-ner-bert");
  LoadModelOptions options;
  options.labels = std::vector<std::string>{"x"};
  try {
    load_model(ModelDirectory::open(dir), options);
    FAIL() << "accepted token ids without embeddings";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("405 tokens but config.json's vocab_size is 402"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelDir, TokenizerJsonServesWhenVocabTxtIsAbsent) {
  GREENBERT_SHARED_PATH(source, "models/tiny-random-BertForSequenceClassification");
  const auto dir = testing::temp_dir("model-dir-tokenizer-json");
  for (const char* name : {"config.json", "pytorch_model.bin", "tokenizer.json"})
    std::filesystem::copy_file(source / name, dir / name);
  const ClassifierModel from_json = load_model(ModelDirectory::open(dir));
  const ClassifierModel from_txt = load_model(ModelDirectory::open(source));
  expect_same_parameters(from_json.params, from_txt.params);
  const std::string text = "Energy-efficient transformers, measured honestly.";
  EXPECT_EQ(from_json.tokenizer.encode(text, 64).input_ids,
            from_txt.tokenizer.encode(text, 64).input_ids);
  EXPECT_EQ(from_json.tokenizer.vocab().size(), 1124);
}

TEST(ModelDir, QuantizedFileAndMissingWeightsGiveClearErrors) {
  const auto dir = testing::temp_dir("model-dir-empty");
  save_model(dir, new_model(tiny_config(ModelType::bert), tiny_tokenizer(), 7));
  std::filesystem::remove(dir / "model.safetensors");
  try {
    load_model(ModelDirectory::open(dir));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no model.safetensors or pytorch_model.bin"),
              std::string::npos);
  }
  EXPECT_THROW(load_model(ModelDirectory::open(dir / "nope")), Error);
}

}  // namespace
}  // namespace greenbert
