// Masked-language-model head: every parameter gradient (head, tied word embeddings, encoder)
// against finite differences of the double reference, for BERT and DistilBERT, with dropout
// off and on; the same for ELECTRA's replaced-token head; and the masking recipe.
#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "model/bert.h"
#include "model/masked_lm.h"
#include "model/replaced_token.h"
#include "numeric.h"
#include "reference_model.h"

namespace greenbert {
namespace {

using testing::all_close;
using testing::PaddedBatch;
using testing::ReferenceModel;

BertConfig tiny(ModelType type) {
  BertConfig c;
  c.model_type = type;
  c.vocab_size = 19, c.hidden_size = 8, c.num_heads = 2, c.num_layers = 2;
  c.intermediate_size = 12, c.max_position_embeddings = 16;
  c.type_vocab_size = type == ModelType::bert ? 2 : 0;
  c.hidden_dropout = 0.2, c.attention_dropout = 0.25;
  c.pad_token_id = 1;
  return c;
}

// Uniform in ±0.5 (LayerNorm weights in [0.5, 1.5]): large enough that every part matters.
void randomize(ParameterBuffer& params, uint32_t seed) {
  std::mt19937 rng(seed);
  for (const ParameterTensor& t : params.layout().tensors()) {
    bool norm = t.role == TensorRole::norm_weight;
    std::uniform_real_distribution<float> dist(norm ? 0.5f : -0.5f, norm ? 1.5f : 0.5f);
    for (float& v : params.view(t)) v = dist(rng);
  }
}

// Two sequences of 6 and 4 tokens, the second padded.
PaddedBatch two_sequences() {
  PaddedBatch in;
  in.batch = 2, in.seq_len = 6;
  in.input_ids = {2, 5, 9, 4, 7, 3, /**/ 2, 14, 4, 3, 0, 0};
  in.attention_mask = {1, 1, 1, 1, 1, 1, /**/ 1, 1, 1, 1, 0, 0};
  return in;
}

// d loss / d values by central differences (step 1e-5), `loss` reading `values`.
template <typename Loss>
std::vector<double> central_differences(const ParameterLayout& layout, std::vector<double>& values,
                                        Loss loss) {
  std::vector<double> numeric(values.size(), 0.0);
  const double h = 1e-5;
  for (const ParameterTensor& t : layout.tensors())
    for (int64_t i = t.offset; i < t.offset + t.size; ++i) {
      double keep = values[i];
      values[i] = keep + h;
      double up = loss();
      values[i] = keep - h;
      double down = loss();
      values[i] = keep;
      numeric[i] = (up - down) / (2 * h);
    }
  return numeric;
}

class MaskedLmTest : public ::testing::TestWithParam<std::tuple<ModelType, bool>> {};

TEST_P(MaskedLmTest, EveryGradientMatchesFiniteDifferences) {
  auto [type, training] = GetParam();
  const BertConfig config = tiny(type);
  ParameterBuffer params = make_parameters(config, {.masked_lm_head = true});
  randomize(params, 5);
  const PaddedBatch in = two_sequences();
  const TokenBatch batch = pack_padded(in.input_ids, in.attention_mask, {}, 2, 6);
  // Packed positions 1, 3, 7, 8 (padded rows 1, 3, 7, 8 as well); position 3 twice.
  MaskedTokens masked{{1, 3, 7, 8, 3}, {5, 11, 14, 0, 18}};

  Activations acts(config, {batch.tokens(), 2, 6});
  MaskedLmActivations mlm(config, 8);
  encoder_forward(config, params, batch, {training, 3, Precision::fp32}, acts);
  masked_lm_forward(config, params, acts, masked, mlm);
  ParameterBuffer grads = ParameterBuffer::zeros_like(params);
  masked_lm_backward(config, params, acts, masked, mlm, grads);
  encoder_backward(config, params, batch, acts, grads);

  std::vector<double> values(params.data(), params.data() + params.size());
  ReferenceModel ref(config, params.layout(), values);
  const std::vector<int64_t> rows = {1, 3, 7, 8, 3};
  auto loss = [&] {
    return ref.masked_lm_loss(ref.forward(in, training, 3).hidden, rows, masked.labels);
  };
  EXPECT_NEAR(masked_lm_forward(config, params, acts, masked, mlm), loss(), 1e-5);
  std::vector<double> numeric = central_differences(params.layout(), values, loss);
  // torch's padding_idx: the pad row of the INPUT embedding gets no gradient, but as decoder
  // weight (tied) it does: only the input path's share is dropped. Compare that row apart.
  const ParameterTensor& word = params.layout().at("bert.embeddings.word_embeddings.weight");
  const int64_t pad = word.offset + config.pad_token_id * 8;
  double scale = testing::max_abs(numeric);
  for (const ParameterTensor& t : params.layout().tensors()) {
    std::vector<double> expected(numeric.begin() + t.offset, numeric.begin() + t.offset + t.size);
    std::vector<float> analytic(grads.view(t).begin(), grads.view(t).end());
    if (&t == &word)
      for (int64_t c = 0; c < 8; ++c)
        expected[pad - t.offset + c] = analytic[pad - t.offset + c] = 0;
    EXPECT_TRUE(all_close(analytic, expected, 1e-5, 1e-6 * scale)) << t.name;
  }
}

// ELECTRA's discriminator loss (model/replaced_token.h) through the head and the encoder.
TEST(ReplacedTokenTest, EveryGradientMatchesFiniteDifferences) {
  const BertConfig config = tiny(ModelType::bert);
  ParameterBuffer params = make_parameters(config, {.replaced_token_head = true});
  randomize(params, 9);
  const PaddedBatch in = two_sequences();
  const TokenBatch batch = pack_padded(in.input_ids, in.attention_mask, {}, 2, 6);
  const std::vector<float> replaced = {0, 1, 0, 0, 1, 0, /**/ 0, 1, 1, 0};  // packed tokens
  const std::vector<int64_t> rows = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};         // their padded rows
  const float weight = 1.5f;  // ELECTRA's λ scales the gradient, not the returned loss

  Activations acts(config, {batch.tokens(), 2, 6});
  ReplacedTokenActivations rtd(config, batch.tokens());
  encoder_forward(config, params, batch, {false, 3, Precision::fp32}, acts);
  const float forward = replaced_token_forward(config, params, acts, replaced, weight, rtd);
  ParameterBuffer grads = ParameterBuffer::zeros_like(params);
  replaced_token_backward(config, params, acts, rtd, grads);
  encoder_backward(config, params, batch, acts, grads);

  std::vector<double> values(params.data(), params.data() + params.size());
  ReferenceModel ref(config, params.layout(), values);
  auto loss = [&] {
    return ref.replaced_token_loss(ref.forward(in, false, 3).hidden, rows, replaced);
  };
  EXPECT_NEAR(forward, loss(), 1e-5);
  std::vector<double> numeric = central_differences(params.layout(), values, loss);
  for (double& g : numeric) g *= weight;
  const ParameterTensor& word = params.layout().at("bert.embeddings.word_embeddings.weight");
  const int64_t pad = word.offset + config.pad_token_id * 8;  // torch's padding_idx: no gradient
  for (int64_t c = 0; c < 8; ++c) numeric[pad + c] = 0;
  double scale = testing::max_abs(numeric);
  for (const ParameterTensor& t : params.layout().tensors()) {
    std::vector<double> expected(numeric.begin() + t.offset, numeric.begin() + t.offset + t.size);
    std::vector<float> analytic(grads.view(t).begin(), grads.view(t).end());
    EXPECT_TRUE(all_close(analytic, expected, 1e-5, 1e-6 * scale)) << t.name;
  }
}

INSTANTIATE_TEST_SUITE_P(BertAndDistilbert, MaskedLmTest,
                         ::testing::Combine(::testing::Values(ModelType::bert,
                                                              ModelType::distilbert),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(model_type_name(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) ? "_dropout" : "_eval");
                         });

TEST(MaskTokens, FollowsTheBertRecipeDeterministically) {
  BertConfig config = preset_config("bert-tiny");
  TokenBatch batch;
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> token(1000, 30000);
  for (int s = 0; s < 200; ++s) {
    std::vector<int32_t> ids(100);
    for (int32_t& id : ids) id = token(rng);
    ids.front() = 101, ids.back() = 102;
    batch.add_sequence(ids);
  }
  const TokenBatch original = batch;
  TokenBatch again = batch;
  MaskedTokens masked = mask_tokens(batch, config, {}, 42);
  EXPECT_EQ(mask_tokens(again, config, {}, 42).positions, masked.positions);
  EXPECT_EQ(again.input_ids, batch.input_ids);

  const double candidates = 200 * 98;
  const double n = double(masked.positions.size());
  EXPECT_NEAR(n, 0.15 * candidates, 5 * std::sqrt(candidates * 0.15 * 0.85));
  int64_t as_mask = 0, unchanged = 0;
  for (size_t i = 0; i < masked.positions.size(); ++i) {
    const int32_t t = masked.positions[i];
    EXPECT_EQ(masked.labels[i], original.input_ids[t]);
    EXPECT_NE(original.input_ids[t], 101);
    EXPECT_NE(original.input_ids[t], 102);
    as_mask += batch.input_ids[t] == 103;
    unchanged += batch.input_ids[t] == original.input_ids[t];
  }
  EXPECT_NEAR(double(as_mask) / n, 0.8, 0.03);
  EXPECT_NEAR(double(unchanged) / n, 0.1 + 0.1 / 30522, 0.03);
  for (int64_t t = 0; t < batch.tokens(); ++t) {  // only chosen tokens change
    if (std::find(masked.positions.begin(), masked.positions.end(), t) == masked.positions.end()) {
      ASSERT_EQ(batch.input_ids[t], original.input_ids[t]);
    }
  }
}

TEST(MaskTokens, ChoosesAtLeastOneTokenAndRejectsBadInput) {
  BertConfig config = preset_config("bert-tiny");
  TokenBatch batch;
  batch.add_sequence(std::vector<int32_t>{101, 2000, 102});
  MaskingOptions options;
  options.probability = 1e-9;
  EXPECT_EQ(mask_tokens(batch, config, options, 1).positions, (std::vector<int32_t>{1}));
  options.probability = 0;
  EXPECT_THROW(mask_tokens(batch, config, options, 1), Error);
  ParameterBuffer no_head = make_parameters(config);
  Activations acts(config, {3, 1, 3});
  MaskedLmActivations mlm(config, 2);
  encoder_forward(config, no_head, batch, {}, acts);
  EXPECT_THROW(masked_lm_forward(config, no_head, acts, {{1}, {5}}, mlm), Error);
}

}  // namespace
}  // namespace greenbert
