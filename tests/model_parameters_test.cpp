// Parameter layout (one aligned buffer, HF names, fused QKV), parameter counts of the presets,
// HF initialisation, and the checkpoint name mappings.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "model/names.h"
#include "model/parameters.h"

namespace greenbert {
namespace {

BertConfig with_labels(const char* preset, int labels) {
  BertConfig c = preset_config(preset);
  c.labels.clear();
  for (int i = 0; i < labels; ++i) c.labels.push_back(cat("l", i));
  return c;
}

TEST(Parameters, PresetCountsMatchPublishedModels) {
  // Published encoder sizes: bert-base-uncased BertModel 109,482,240 (incl. pooler);
  // distilbert-base-uncased DistilBertModel 66,362,880; google/bert_uncased_L-2_H-128_A-2
  // 4,385,920. The classification heads add their Linear layers.
  const int64_t labels = 152;
  EXPECT_EQ(ParameterLayout(with_labels("bert-base", labels)).parameter_count(),
            109'482'240 + 768 * labels + labels);
  EXPECT_EQ(ParameterLayout(with_labels("distilbert", labels)).parameter_count(),
            66'362'880 + 768 * 768 + 768 + 768 * labels + labels);
  EXPECT_EQ(ParameterLayout(with_labels("bert-tiny", labels)).parameter_count(),
            4'385'920 + 128 * labels + labels);
}

TEST(Parameters, LayoutIsAlignedDisjointAndFusesQkv) {
  for (const char* preset : {"tinybert", "distilbert"}) {
    BertConfig c = with_labels(preset, 3);
    ParameterLayout layout(c);
    int64_t end = 0, total = 0;
    std::set<std::string> names;
    for (const ParameterTensor& t : layout.tensors()) {
      EXPECT_GE(t.offset, end) << t.name;  // in order, no overlap
      bool fused =
          t.name.find(".key.") != std::string::npos || t.name.find(".value.") != std::string::npos;
      if (fused)
        EXPECT_EQ(t.offset, end) << t.name << " must follow its query/key neighbour";
      else
        EXPECT_EQ(t.offset % 16, 0) << t.name << " is not 64-byte aligned";
      end = t.offset + t.size;
      total += t.size;
      EXPECT_TRUE(names.insert(t.name).second) << t.name;
      EXPECT_EQ(t.weight_decay(), t.name.find("bias") == std::string::npos &&
                                      t.name.find("LayerNorm") == std::string::npos)
          << t.name;
    }
    EXPECT_LE(end, layout.buffer_size());
    EXPECT_EQ(total, layout.parameter_count());
    const LayerOffsets& l1 = layout.layers[1];
    const int64_t C = c.hidden_size;
    EXPECT_EQ(l1.qkv.weight, layout.at("bert.encoder.layer.1.attention.self.query.weight").offset);
    EXPECT_EQ(l1.qkv.weight + 2 * C * C,
              layout.at("bert.encoder.layer.1.attention.self.value.weight").offset);
    EXPECT_EQ(l1.qkv.bias + C, layout.at("bert.encoder.layer.1.attention.self.key.bias").offset);
    EXPECT_EQ(layout.at("classifier.weight").shape, (std::vector<int64_t>{3, C}));
    EXPECT_EQ(layout.at("bert.encoder.layer.0.intermediate.dense.weight").shape,
              (std::vector<int64_t>{c.intermediate_size, C}));
    EXPECT_EQ(layout.find("bert.embeddings.token_type_embeddings.weight") != nullptr,
              c.model_type == ModelType::bert);
  }
  EXPECT_THROW(ParameterLayout(with_labels("bert-tiny", 2)).at("nope"), Error);
}

TEST(Parameters, InitialisationFollowsHfAndIsSeeded) {
  BertConfig c = with_labels("bert-tiny", 4);
  c.pad_token_id = 3;
  ParameterBuffer a = make_parameters(c), b = make_parameters(c), d = make_parameters(c);
  initialize_parameters(a, c, 1);
  initialize_parameters(b, c, 1);
  initialize_parameters(d, c, 2);
  EXPECT_TRUE(std::equal(a.data(), a.data() + a.size(), b.data()));
  EXPECT_FALSE(std::equal(a.data(), a.data() + a.size(), d.data()));
  for (const ParameterTensor& t : a.layout().tensors()) {
    auto v = a.view(t);
    if (t.role == TensorRole::norm_weight) {
      for (float x : v) ASSERT_EQ(x, 1.0f) << t.name;
    } else if (t.role == TensorRole::bias || t.role == TensorRole::norm_bias) {
      for (float x : v) ASSERT_EQ(x, 0.0f) << t.name;
    } else if (t.size > 10000) {
      double sum = 0, sq = 0;
      for (float x : v) sum += x, sq += double(x) * x;
      double mean = sum / double(t.size), sd = std::sqrt(sq / double(t.size) - mean * mean);
      EXPECT_NEAR(mean, 0.0, 5 * 0.02 / std::sqrt(double(t.size))) << t.name;
      EXPECT_NEAR(sd, 0.02, 0.02 * 0.02) << t.name;
    }
  }
  auto word = a.view("bert.embeddings.word_embeddings.weight");
  for (int c0 = 0; c0 < 128; ++c0) EXPECT_EQ(word[3 * 128 + c0], 0.0f);
  EXPECT_NE(word[2 * 128], 0.0f);
}

TEST(Names, CanonicalNamesRoundTripForBothFamilies) {
  for (const char* preset : {"bert-mini", "distilbert"}) {
    BertConfig c = with_labels(preset, 2);
    ParameterLayout layout(c, {.masked_lm_head = true});
    for (const ParameterTensor& t : layout.tensors()) {
      std::string hf = checkpoint_name(t.name, c.model_type);
      EXPECT_EQ(canonical_name(hf, c.model_type), t.name) << hf;
      EXPECT_FALSE(is_ignored_checkpoint_tensor(hf, c.model_type)) << hf;
    }
  }
}

TEST(Names, DistilbertMapping) {
  const ModelType d = ModelType::distilbert;
  EXPECT_EQ(checkpoint_name("bert.encoder.layer.3.attention.self.query.weight", d),
            "distilbert.transformer.layer.3.attention.q_lin.weight");
  EXPECT_EQ(checkpoint_name("bert.encoder.layer.0.attention.output.LayerNorm.bias", d),
            "distilbert.transformer.layer.0.sa_layer_norm.bias");
  EXPECT_EQ(checkpoint_name("bert.encoder.layer.5.output.dense.weight", d),
            "distilbert.transformer.layer.5.ffn.lin2.weight");
  EXPECT_EQ(checkpoint_name("bert.pooler.dense.weight", d), "pre_classifier.weight");
  EXPECT_EQ(checkpoint_name("bert.embeddings.LayerNorm.weight", d),
            "distilbert.embeddings.LayerNorm.weight");
  EXPECT_EQ(canonical_name("distilbert.transformer.layer.11.output_layer_norm.weight", d),
            "bert.encoder.layer.11.output.LayerNorm.weight");
  EXPECT_EQ(canonical_name("distilbert.transformer.layer.2.ffn.lin1.bias", d),
            "bert.encoder.layer.2.intermediate.dense.bias");
  EXPECT_EQ(canonical_name("distilbert.transformer.layer.2.attention.out_lin.weight", d),
            "bert.encoder.layer.2.attention.output.dense.weight");
  // DistilBertModel saved on its own has no "distilbert." prefix.
  EXPECT_EQ(canonical_name("transformer.layer.0.attention.k_lin.weight", d),
            "bert.encoder.layer.0.attention.self.key.weight");
  EXPECT_EQ(canonical_name("embeddings.word_embeddings.weight", d),
            "bert.embeddings.word_embeddings.weight");
  EXPECT_THROW(checkpoint_name("bert.embeddings.token_type_embeddings.weight", d), Error);
  EXPECT_EQ(canonical_name("bert.encoder.layer.0.attention.self.query.weight", d), std::nullopt);
  EXPECT_TRUE(is_ignored_checkpoint_tensor("distilbert.embeddings.position_ids", d));
  EXPECT_TRUE(is_ignored_checkpoint_tensor("vocab_projector.weight", d));  // tied to embeddings
  EXPECT_EQ(canonical_name("vocab_projector.bias", d), "cls.predictions.bias");
  EXPECT_EQ(canonical_name("vocab_layer_norm.weight", d),
            "cls.predictions.transform.LayerNorm.weight");
}

TEST(Names, LegacyBertNames) {
  const ModelType b = ModelType::bert;
  EXPECT_EQ(canonical_name("embeddings.LayerNorm.gamma", b), "bert.embeddings.LayerNorm.weight");
  EXPECT_EQ(canonical_name("encoder.layer.1.output.LayerNorm.beta", b),
            "bert.encoder.layer.1.output.LayerNorm.bias");
  EXPECT_EQ(canonical_name("pooler.dense.weight", b), "bert.pooler.dense.weight");
  EXPECT_EQ(canonical_name("bert.encoder.layer.0.attention.self.query.bias", b),
            "bert.encoder.layer.0.attention.self.query.bias");
  EXPECT_EQ(canonical_name("bert.encoder.layer.x.attention.self.query.bias", b), std::nullopt);
  EXPECT_EQ(canonical_name("bert.encoder.layer.01.attention.self.query.bias", b), std::nullopt);
  EXPECT_EQ(canonical_name("bert.encoder.layer.0.attention.self.quer.bias", b), std::nullopt);
  EXPECT_EQ(canonical_name("cls.predictions.bias", b), "cls.predictions.bias");
  EXPECT_EQ(canonical_name("cls.predictions.transform.LayerNorm.gamma", b),
            "cls.predictions.transform.LayerNorm.weight");
  EXPECT_TRUE(is_masked_lm_tensor("cls.predictions.transform.dense.weight"));
  EXPECT_FALSE(is_masked_lm_tensor("classifier.weight"));
  EXPECT_TRUE(is_ignored_checkpoint_tensor("cls.predictions.decoder.weight", b));  // tied
  EXPECT_TRUE(is_ignored_checkpoint_tensor("cls.seq_relationship.weight", b));
  EXPECT_TRUE(is_ignored_checkpoint_tensor("bert.embeddings.position_ids", b));
  EXPECT_TRUE(is_ignored_checkpoint_tensor("fit_denses.2.weight", b));
  EXPECT_FALSE(is_ignored_checkpoint_tensor("bert.encoder.layer.0.output.dense.weight", b));
  EXPECT_EQ(checkpoint_name("classifier.bias", b), "classifier.bias");
}

}  // namespace
}  // namespace greenbert
