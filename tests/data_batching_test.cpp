// Batches by length (data/batching.h) and the learning-rate schedule (train/schedule.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "core/error.h"
#include "data/batching.h"
#include "data/encode_example.h"
#include "train/schedule.h"
#include "train_support.h"

namespace greenbert {
namespace {

std::vector<int64_t> random_lengths(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int64_t> lengths(n);
  for (auto& l : lengths) l = 3 + static_cast<int64_t>(rng() % 148);
  return lengths;
}

TEST(Batching, EveryExampleExactlyOncePerEpochInFullBatches) {
  const auto lengths = random_lengths(1003, 1);
  for (int64_t epoch : {0, 1, 7}) {
    const BatchPlan plan = plan_epoch(lengths, 32, 42, epoch, 5);
    ASSERT_EQ(plan.batches(), batch_count(1003, 32));
    std::vector<int64_t> seen;
    int64_t short_batches = 0;
    for (int64_t b = 0; b < plan.batches(); ++b) {
      const auto batch = plan.batch(b);
      seen.insert(seen.end(), batch.begin(), batch.end());
      if (batch.size() != 32) {
        ++short_batches;
        EXPECT_EQ(batch.size(), 1003u % 32);
      }
    }
    EXPECT_EQ(short_batches, 1);
    std::sort(seen.begin(), seen.end());
    std::vector<int64_t> all(1003);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(seen, all) << "epoch " << epoch;
  }
}

TEST(Batching, DeterministicForSeedAndEpochAndDifferentAcrossThem) {
  const auto lengths = random_lengths(500, 2);
  const BatchPlan a = plan_epoch(lengths, 16, 42, 3);
  const BatchPlan b = plan_epoch(lengths, 16, 42, 3);
  EXPECT_EQ(a.order, b.order);
  EXPECT_EQ(a.batch_start, b.batch_start);
  EXPECT_NE(a.order, plan_epoch(lengths, 16, 42, 4).order);
  EXPECT_NE(a.order, plan_epoch(lengths, 16, 43, 3).order);
}

// Batches group similar lengths: their token counts vary far less than random batches'.
TEST(Batching, BatchesGroupSimilarLengths) {
  const auto lengths = random_lengths(3200, 3);
  auto spread = [&](const BatchPlan& plan) {
    int64_t total = 0;
    for (int64_t b = 0; b < plan.batches(); ++b) {
      int64_t lo = 1 << 30, hi = 0;
      for (int64_t i : plan.batch(b)) {
        lo = std::min(lo, lengths[static_cast<size_t>(i)]);
        hi = std::max(hi, lengths[static_cast<size_t>(i)]);
      }
      total += hi - lo;
    }
    return total;
  };
  const BatchPlan grouped = plan_epoch(lengths, 32, 42, 0, 50);
  const BatchPlan random = plan_epoch(lengths, 32, 42, 0, 1);  // chunk of one batch: no grouping
  EXPECT_LT(spread(grouped) * 10, spread(random));
}

TEST(Batching, InferencePlanIsSortedByLength) {
  const auto lengths = random_lengths(100, 4);
  const BatchPlan plan = plan_inference(lengths, 8);
  EXPECT_EQ(plan.batches(), 13);
  for (size_t i = 1; i < plan.order.size(); ++i)
    EXPECT_LE(lengths[static_cast<size_t>(plan.order[i - 1])],
              lengths[static_cast<size_t>(plan.order[i])]);
  EXPECT_EQ(plan_inference({}, 8).batches(), 0);
  EXPECT_THROW(plan_epoch(lengths, 0, 1, 0), Error);
}

TEST(Batching, EncodesEachExampleAsEncodeExampleDoes) {
  const Dataset dataset = testing::synthetic_dataset(60, 5);
  const BertTokenizer tokenizer = testing::synthetic_tokenizer();
  for (TextInput text : {TextInput::abstract, TextInput::title_and_abstract}) {
    const EncodedExamples encoded = encode_examples(tokenizer, dataset.train, text, 12);
    ASSERT_EQ(encoded.size(), static_cast<int64_t>(dataset.train.size()));
    EXPECT_EQ(encoded.token_types.empty(), text == TextInput::abstract);
    for (int64_t i = 0; i < encoded.size(); ++i) {
      const Encoding expected =
          encode_example(tokenizer, dataset.train[static_cast<size_t>(i)], text, 12);
      const auto ids = encoded.example_ids(i);
      EXPECT_EQ(std::vector<int32_t>(ids.begin(), ids.end()), expected.input_ids);
      if (text == TextInput::title_and_abstract) {
        const auto types = encoded.example_types(i);
        EXPECT_EQ(std::vector<int32_t>(types.begin(), types.end()), expected.token_type_ids);
      }
      const auto labels = encoded.example_labels(i);
      EXPECT_EQ(std::vector<int32_t>(labels.begin(), labels.end()),
                dataset.train[static_cast<size_t>(i)].labels);
    }
  }
}

TEST(Batching, FillsBatchesAndTargetsWithoutGrowingBuffers) {
  const Dataset dataset = testing::synthetic_dataset(80, 6);
  const EncodedExamples encoded = encode_examples(testing::synthetic_tokenizer(), dataset.train,
                                                  TextInput::title_and_abstract, 16);
  const int64_t labels = dataset.labels.size();
  TokenBatch batch;
  reserve_batch(batch, 8, 16, true);
  const int32_t* ids = batch.input_ids.data();
  const int32_t* positions = batch.position_ids.data();
  std::vector<float> targets(static_cast<size_t>(8 * labels));
  const BatchPlan plan = plan_epoch(encoded.lengths(), 8, 1, 0);
  for (int64_t b = 0; b < plan.batches(); ++b) {
    const auto indices = plan.batch(b);
    fill_batch(encoded, indices, batch);
    fill_targets(encoded, indices, labels, targets);
    EXPECT_EQ(batch.input_ids.data(), ids);
    EXPECT_EQ(batch.position_ids.data(), positions);
    ASSERT_EQ(batch.sequences(), static_cast<int64_t>(indices.size()));
    for (size_t s = 0; s < indices.size(); ++s) {
      const auto expected = encoded.example_ids(indices[s]);
      EXPECT_TRUE(std::equal(expected.begin(), expected.end(),
                             batch.input_ids.begin() + batch.seq_start[s]));
      EXPECT_EQ(batch.position_ids[static_cast<size_t>(batch.seq_start[s + 1] - 1)],
                batch.length(static_cast<int64_t>(s)) - 1);
      std::set<int32_t> wanted;
      for (int32_t l : encoded.example_labels(indices[s])) wanted.insert(l);
      for (int64_t l = 0; l < labels; ++l)
        EXPECT_EQ(targets[s * static_cast<size_t>(labels) + static_cast<size_t>(l)],
                  wanted.count(static_cast<int32_t>(l)) ? 1.0f : 0.0f);
    }
  }
}

TEST(Batching, ExplicitPositionsAreKept) {
  EncodedExamples data;
  data.ids = {2, 7, 8, 3};
  data.positions = {0, 1, 3, 4};  // a hole in an HF attention mask at position 2
  data.offsets = {0, 4};
  data.label_offsets = {0, 0};
  TokenBatch batch;
  fill_batch(data, std::vector<int64_t>{0}, batch);
  EXPECT_EQ(batch.position_ids, (std::vector<int32_t>{0, 1, 3, 4}));
}

// Hugging Face's get_linear_schedule_with_warmup, values worked out by hand.
TEST(Schedule, LinearWarmupThenLinearDecayAsHuggingFace) {
  const LinearSchedule s{1.0, 10, 110};
  EXPECT_DOUBLE_EQ(learning_rate(s, 0), 0.0);  // HF's first update has lr 0 under warm-up
  EXPECT_DOUBLE_EQ(learning_rate(s, 5), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate(s, 10), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate(s, 60), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate(s, 109), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate(s, 110), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate(s, 200), 0.0);
  const LinearSchedule none{2e-5, 0, 4};
  EXPECT_DOUBLE_EQ(learning_rate(none, 0), 2e-5);
  EXPECT_DOUBLE_EQ(learning_rate(none, 3), 0.5e-5);
}

TEST(Schedule, WarmupIsARatioBelowOneAndStepsAbove) {
  EXPECT_EQ(warmup_steps(0.06, 1000), 60);
  EXPECT_EQ(warmup_steps(0.06, 1001), 61);  // rounded up, as HF's get_warmup_steps
  EXPECT_EQ(warmup_steps(0, 1000), 0);
  EXPECT_EQ(warmup_steps(100, 1000), 100);
  EXPECT_THROW(warmup_steps(1.5, 1000), Error);
  EXPECT_THROW(warmup_steps(-0.1, 1000), Error);
  EXPECT_THROW(warmup_steps(2000, 1000), Error);
}

}  // namespace
}  // namespace greenbert
