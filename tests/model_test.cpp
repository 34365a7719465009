// The packed float model against the padded double reference (HF math with an additive mask):
// forward outputs, whole-model gradients by finite differences (BERT and DistilBERT, dropout
// off and on), bf16 GEMMs against fp32, reproducibility, and input validation.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "kernels/loss.h"
#include "model/bert.h"
#include "numeric.h"
#include "reference_model.h"
#include "tiny_bert_config.h"

namespace greenbert {
namespace {

using testing::all_close;
using testing::gradient_close;
using testing::PaddedBatch;
using testing::random_floats;
using testing::ReferenceModel;

BertConfig tiny_config(ModelType type) {
  BertConfig c = testing::tiny_bert_config(type);
  c.vocab_size = 23;
  c.max_position_embeddings = 16;
  if (type == ModelType::bert) c.type_vocab_size = 3;
  c.hidden_dropout = 0.2;
  c.attention_dropout = 0.25;
  c.classifier_dropout = 0.3;
  c.pad_token_id = 1;
  c.labels = {"a", "b", "c"};
  return c;
}

// Random values everywhere (not HF's init): large enough that every non-linearity matters.
void randomize(ParameterBuffer& params, uint32_t seed) {
  std::mt19937 rng(seed);
  for (const ParameterTensor& t : params.layout().tensors()) {
    bool norm = t.role == TensorRole::norm_weight;
    std::uniform_real_distribution<float> dist(norm ? 0.5f : -0.5f, norm ? 1.5f : 0.5f);
    for (float& v : params.view(t)) v = dist(rng);
  }
}

// Three rows: full, right-padded, and one with a masked hole in the middle.
PaddedBatch padded_batch(bool token_types) {
  PaddedBatch in;
  in.batch = 3, in.seq_len = 7;
  in.input_ids = {2, 5, 9, 1, 7, 22, 3, /**/ 2, 14, 3, 0, 0, 0, 0, /**/ 2, 8, 19, 6, 3, 0, 0};
  in.attention_mask = {1, 1, 1, 1, 1, 1, 1, /**/ 1, 1, 1, 0, 0, 0, 0, /**/ 1, 1, 0, 1, 1, 0, 0};
  if (token_types)
    in.token_type_ids = {0, 0, 0, 1, 1, 1, 2, /**/ 0, 1, 1, 0, 0, 0, 0, /**/ 0, 0, 0, 1, 1, 0, 0};
  return in;
}

TokenBatch pack(const PaddedBatch& in) {
  return pack_padded(in.input_ids, in.attention_mask, in.token_type_ids, in.batch, in.seq_len);
}

std::vector<double> as_double(const ParameterBuffer& params) {
  return std::vector<double>(params.data(), params.data() + params.size());
}

struct Case {
  BertConfig config;
  ParameterBuffer params;
  PaddedBatch padded;
  TokenBatch batch;
  std::vector<float> targets;

  explicit Case(ModelType type)
      : config(tiny_config(type)),
        params(make_parameters(config)),
        padded(padded_batch(type == ModelType::bert)),
        batch(pack(padded)),
        targets(9) {
    randomize(params, 7);
    for (size_t i = 0; i < targets.size(); ++i) targets[i] = float((i * 5 + 1) % 3 == 0);
  }
  Activations activations() const { return Activations(config, {batch.tokens(), 3, 7}); }
};

class ModelTest : public ::testing::TestWithParam<std::tuple<ModelType, bool>> {};

TEST_P(ModelTest, ForwardMatchesPaddedMaskedReference) {
  auto [type, training] = GetParam();
  Case k(type);
  Activations acts = k.activations();
  std::vector<float> logits(9);
  forward(k.config, k.params, k.batch, {training, 99, Precision::fp32}, acts, logits);

  auto values = as_double(k.params);
  ReferenceModel ref(k.config, k.params.layout(), values);
  auto out = ref.forward(k.padded, training, 99);
  EXPECT_TRUE(all_close(logits, out.logits, 1e-5, 1e-5));
  EXPECT_TRUE(all_close(acts.pooled(), out.pooled, 1e-5, 1e-5));
  // Hidden states of the kept tokens, in packed order.
  std::vector<double> kept;
  for (int64_t r = 0; r < k.padded.batch * k.padded.seq_len; ++r)
    if (k.padded.attention_mask[r])
      kept.insert(kept.end(), out.hidden.begin() + r * 8, out.hidden.begin() + (r + 1) * 8);
  EXPECT_TRUE(all_close(acts.last_hidden_state(), kept, 1e-5, 1e-5));
}

TEST_P(ModelTest, EveryParameterGradientMatchesFiniteDifferences) {
  auto [type, training] = GetParam();
  Case k(type);
  Activations acts = k.activations();
  std::vector<float> logits(9), dlogits(9);
  forward(k.config, k.params, k.batch, {training, 5, Precision::fp32}, acts, logits);
  bce_with_logits(logits.data(), k.targets.data(), 9, dlogits.data());
  ParameterBuffer grads = ParameterBuffer::zeros_like(k.params);
  backward(k.config, k.params, k.batch, acts, dlogits, grads);

  std::vector<double> values = as_double(k.params);
  ReferenceModel ref(k.config, k.params.layout(), values);
  auto loss = [&] {
    return ReferenceModel::bce(ref.forward(k.padded, training, 5).logits, k.targets);
  };
  const double h = 1e-5;
  std::vector<double> numeric(values.size(), 0.0);
  for (const ParameterTensor& t : k.params.layout().tensors())
    for (int64_t i = t.offset; i < t.offset + t.size; ++i) {
      double keep = values[i];
      values[i] = keep + h;
      double up = loss();
      values[i] = keep - h;
      double down = loss();
      values[i] = keep;
      numeric[i] = (up - down) / (2 * h);
    }
  // torch's padding_idx: the pad token's embedding row never receives gradient even though the
  // batch uses it (finite differences do see its influence).
  const auto& word = k.params.layout().at("bert.embeddings.word_embeddings.weight");
  const int64_t pad_row = word.offset + k.config.pad_token_id * 8;
  for (int64_t i = pad_row; i < pad_row + 8; ++i) numeric[i] = 0.0;
  double scale = testing::max_abs(numeric);
  ASSERT_GT(scale, 1e-3);
  int64_t nonzero = 0;
  for (const ParameterTensor& t : k.params.layout().tensors()) {
    std::span<const float> analytic = grads.view(t);
    std::span<const double> expected(numeric.data() + t.offset, size_t(t.size));
    // Judged against the whole gradient's scale: small tensors (LayerNorm biases deep in the
    // net) must not pass on a loose per-tensor relative tolerance.
    EXPECT_TRUE(all_close(analytic, expected, 1e-5, 1e-6 * scale)) << t.name;
    for (double g : expected) nonzero += std::abs(g) > 1e-6 * scale;
  }
  EXPECT_GT(nonzero, k.params.layout().parameter_count() / 2);
}

TEST(Model, ForwardBackwardIsBitReproducibleForASeed) {
  Case k(ModelType::bert);
  auto run = [&](uint64_t seed, std::vector<float>& logits) {
    Activations acts = k.activations();
    std::vector<float> dlogits(9);
    forward(k.config, k.params, k.batch, {true, seed, Precision::fp32}, acts, logits);
    bce_with_logits(logits.data(), k.targets.data(), 9, dlogits.data());
    ParameterBuffer grads = ParameterBuffer::zeros_like(k.params);
    backward(k.config, k.params, k.batch, acts, dlogits, grads);
    return std::vector<float>(grads.data(), grads.data() + grads.size());
  };
  std::vector<float> l1(9), l2(9), l3(9);
  auto g1 = run(11, l1), g2 = run(11, l2), g3 = run(12, l3);
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(g1, g2);
  EXPECT_NE(l1, l3);  // another dropout seed draws other masks
}

// Rows [begin, end) of a padded batch.
PaddedBatch rows_of(const PaddedBatch& in, int64_t begin, int64_t end) {
  PaddedBatch out;
  out.batch = end - begin, out.seq_len = in.seq_len;
  const auto from = static_cast<size_t>(begin * in.seq_len),
             to = static_cast<size_t>(end * in.seq_len);
  out.input_ids.assign(in.input_ids.begin() + from, in.input_ids.begin() + to);
  out.attention_mask.assign(in.attention_mask.begin() + from, in.attention_mask.begin() + to);
  if (!in.token_type_ids.empty())
    out.token_type_ids.assign(in.token_type_ids.begin() + from, in.token_type_ids.begin() + to);
  return out;
}

// What data-parallel training relies on (train/trainer.cpp): the shards of a batch, each told
// where it starts, drop out exactly what the whole batch drops, so their logits are the whole
// batch's rows and their gradients, weighted by their share, add up to the whole batch's.
TEST(Model, ShardsWithTheirDropoutOffsetsAddUpToTheWholeBatch) {
  Case k(ModelType::bert);
  const int64_t labels = 3;
  Activations acts = k.activations();
  std::vector<float> whole_logits(9), dlogits(9);
  forward(k.config, k.params, k.batch, {true, 11, Precision::fp32}, acts, whole_logits);
  bce_with_logits(whole_logits.data(), k.targets.data(), 9, dlogits.data());
  ParameterBuffer whole = ParameterBuffer::zeros_like(k.params);
  backward(k.config, k.params, k.batch, acts, dlogits, whole);

  auto shards = [&](bool with_offsets, std::vector<float>& logits) {
    ParameterBuffer summed = ParameterBuffer::zeros_like(k.params);
    DropoutOffsets offsets;
    for (const auto& [begin, end] : {std::pair<int64_t, int64_t>{0, 1}, {1, 3}}) {
      const TokenBatch shard = pack(rows_of(k.padded, begin, end));
      const auto n = static_cast<size_t>((end - begin) * labels);
      const auto first = static_cast<size_t>(begin * labels);
      ForwardOptions options{true, 11, Precision::fp32};
      if (with_offsets) options.shard = offsets;
      std::vector<float> shard_dlogits(n);
      forward(k.config, k.params, shard, options, acts, std::span(logits).subspan(first, n));
      bce_with_logits(logits.data() + first, k.targets.data() + first, static_cast<int64_t>(n),
                      shard_dlogits.data());
      for (float& d : shard_dlogits) d *= static_cast<float>(n) / 9.0f;
      backward(k.config, k.params, shard, acts, shard_dlogits, summed);
      for (int64_t s = 0; s < shard.sequences(); ++s) {
        const int64_t length = shard.seq_start[s + 1] - shard.seq_start[s];
        offsets.tokens += length;
        offsets.sequences += 1;
        offsets.attention_probs += k.config.num_heads * length * length;
      }
    }
    return summed;
  };
  std::vector<float> logits(9);
  const ParameterBuffer summed = shards(true, logits);
  EXPECT_TRUE(all_close(logits, whole_logits, 1e-5, 1e-6));
  EXPECT_TRUE(all_close(std::span<const float>(summed.data(), size_t(summed.size())),
                        std::span<const float>(whole.data(), size_t(whole.size())), 1e-4, 1e-6));

  // Without its offset the second shard draws the first sequence's masks again.
  std::vector<float> unshifted(9);
  shards(false, unshifted);
  EXPECT_FALSE(
      all_close(std::span(unshifted).subspan(3), std::span(whole_logits).subspan(3), 1e-3, 1e-4));
}

TEST(Model, GradientsAccumulateAcrossBackwardCalls) {
  Case k(ModelType::distilbert);
  Activations acts = k.activations();
  std::vector<float> logits(9), dlogits(9);
  forward(k.config, k.params, k.batch, {}, acts, logits);
  bce_with_logits(logits.data(), k.targets.data(), 9, dlogits.data());
  ParameterBuffer once = ParameterBuffer::zeros_like(k.params), twice = once;
  backward(k.config, k.params, k.batch, acts, dlogits, once);
  backward(k.config, k.params, k.batch, acts, dlogits, twice);
  backward(k.config, k.params, k.batch, acts, dlogits, twice);
  std::vector<float> doubled(once.data(), once.data() + once.size());
  for (float& g : doubled) g *= 2;
  EXPECT_TRUE(
      all_close(std::span<const float>(twice.data(), size_t(twice.size())), doubled, 1e-5, 1e-7));
}

TEST(Model, Bf16GemmsStayCloseToFp32) {
  // bf16 keeps 8 bits of mantissa (relative rounding 2^-9 ≈ 0.2%) on GEMM inputs, with fp32
  // accumulation and fp32 everything else. On this random (untrained, ±0.5 weights) model the
  // measured deviation is 1.1% of the logit scale and 1.5% of the gradient scale; the bounds
  // are 3% and 5%.
  Case k(ModelType::bert);
  auto run = [&](Precision precision, std::vector<float>& logits) {
    Activations acts = k.activations();
    std::vector<float> dlogits(9);
    forward(k.config, k.params, k.batch, {false, 0, precision}, acts, logits);
    bce_with_logits(logits.data(), k.targets.data(), 9, dlogits.data());
    ParameterBuffer grads = ParameterBuffer::zeros_like(k.params);
    backward(k.config, k.params, k.batch, acts, dlogits, grads);
    return std::vector<float>(grads.data(), grads.data() + grads.size());
  };
  std::vector<float> l32(9), l16(9);
  auto g32 = run(Precision::fp32, l32), g16 = run(Precision::bf16, l16);
  std::vector<double> e_logits(l32.begin(), l32.end()), e_grads(g32.begin(), g32.end());
  EXPECT_TRUE(all_close(l16, e_logits, 0, 0.03 * testing::max_abs(e_logits)));
  EXPECT_TRUE(all_close(g16, e_grads, 0, 0.05 * testing::max_abs(e_grads)));
  EXPECT_NE(l16, l32);  // the bf16 path really ran
}

TEST(Model, DistilbertIgnoresTokenTypes) {
  Case k(ModelType::distilbert);
  Activations acts = k.activations();
  std::vector<float> a(9), b(9);
  forward(k.config, k.params, k.batch, {}, acts, a);
  TokenBatch typed = k.batch;
  typed.token_type_ids.assign(size_t(typed.tokens()), 5);
  forward(k.config, k.params, typed, {}, acts, b);
  EXPECT_EQ(a, b);
}

TEST(Model, RejectsBatchesOutsideTheModelOrTheArena) {
  Case k(ModelType::bert);
  Activations acts = k.activations();
  std::vector<float> logits(9);
  auto expect_error = [&](TokenBatch b, const std::string& needle) {
    try {
      std::vector<float> out(size_t(b.sequences()) * 3);
      forward(k.config, k.params, b, {}, acts, out);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  TokenBatch b = k.batch;
  b.input_ids[4] = 23;
  expect_error(b, "input id 23 is outside the vocabulary");
  b = k.batch;
  b.position_ids[2] = 16;
  expect_error(b, "position 16");
  b = k.batch;
  b.token_type_ids[0] = 3;
  expect_error(b, "token type 3");
  b = k.batch;
  b.seq_start[1] = 0;
  expect_error(b, "sequence 0 is empty");
  b = k.batch;
  b.add_sequence(std::vector<int32_t>(8, 4));
  expect_error(b, "exceeds the activation limits");
  EXPECT_THROW(forward(k.config, k.params, k.batch, {}, acts, std::span<float>(logits.data(), 8)),
               Error);
  TokenBatch other = k.batch;
  other.clear();
  other.add_sequence(std::vector<int32_t>{2, 3});
  std::vector<float> dlogits(3);
  ParameterBuffer grads = ParameterBuffer::zeros_like(k.params);
  forward(k.config, k.params, k.batch, {}, acts, logits);
  EXPECT_THROW(backward(k.config, k.params, other, acts, dlogits, grads), Error);
}

TEST(Batch, PackPaddedKeepsColumnsAsPositions) {
  PaddedBatch in = padded_batch(true);
  TokenBatch b = pack(in);
  EXPECT_EQ(b.seq_start, (std::vector<int32_t>{0, 7, 10, 14}));
  EXPECT_EQ(std::vector<int32_t>(b.position_ids.begin() + 10, b.position_ids.end()),
            (std::vector<int32_t>{0, 1, 3, 4}));
  EXPECT_EQ(std::vector<int32_t>(b.input_ids.begin() + 10, b.input_ids.end()),
            (std::vector<int32_t>{2, 8, 6, 3}));
  EXPECT_EQ(b.token_type_ids.size(), b.input_ids.size());
  EXPECT_EQ(b.max_length(), 7);

  in.attention_mask[7] = 0;  // row 1 masks its [CLS]
  EXPECT_THROW(pack(in), Error);
  in = padded_batch(false);
  in.attention_mask[3] = 2;
  EXPECT_THROW(pack(in), Error);
  in.input_ids.pop_back();
  EXPECT_THROW(pack(in), Error);
}

TEST(Batch, AddSequenceFillsPositionsAndTypes) {
  TokenBatch b;
  b.add_sequence(std::vector<int32_t>{5, 6, 7});
  b.add_sequence(std::vector<int32_t>{8, 9}, std::vector<int32_t>{0, 1});
  EXPECT_EQ(b.position_ids, (std::vector<int32_t>{0, 1, 2, 0, 1}));
  EXPECT_EQ(b.token_type_ids, (std::vector<int32_t>{0, 0, 0, 0, 1}));
  EXPECT_EQ(b.seq_start, (std::vector<int32_t>{0, 3, 5}));
  EXPECT_THROW(b.add_sequence({}), Error);
  b.clear();
  EXPECT_EQ(b.sequences(), 0);
  EXPECT_EQ(b.tokens(), 0);
}

INSTANTIATE_TEST_SUITE_P(BertAndDistilbert, ModelTest,
                         ::testing::Combine(::testing::Values(ModelType::bert,
                                                              ModelType::distilbert),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(model_type_name(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) ? "_dropout" : "_eval");
                         });

}  // namespace
}  // namespace greenbert
