// The batcher (serve/batcher.h) with a stand-in model whose logits are a function of each
// sequence's ids: requests get their own rows back, batches respect their limits, a request that
// breaks the model fails alone, abandoned requests are skipped, stop() runs what is queued. Also
// the pieces the service's answers are made of: label decisions, arXiv names, histograms.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <mutex>
#include <numeric>
#include <set>

#include "core/error.h"
#include "data/arxiv_categories.h"
#include "infer/label_decisions.h"
#include "serve/batcher.h"
#include "serve/serve_metrics.h"
#include "support.h"

namespace greenbert {
namespace {

using namespace std::chrono_literals;
constexpr int32_t kPoison = 99;  // an id the stand-in model refuses

// Requests of the given sequences (each a list of ids).
EncodedExamples inputs(const std::vector<std::vector<int32_t>>& sequences) {
  EncodedExamples e;
  for (const auto& ids : sequences) {
    e.ids.insert(e.ids.end(), ids.begin(), ids.end());
    e.offsets.push_back(static_cast<int64_t>(e.ids.size()));
    e.label_offsets.push_back(0);
  }
  return e;
}

// Two "logits" per sequence: the sum of its ids and its length. Records each batch's size.
struct StandInModel {
  std::mutex mutex;
  std::vector<int64_t> batch_sequences;
  RunBatch run() {
    return [this](const TokenBatch& batch, std::span<float> logits) {
      {
        std::lock_guard lock(mutex);
        batch_sequences.push_back(batch.sequences());
      }
      for (int64_t s = 0; s < batch.sequences(); ++s) {
        const auto begin = batch.input_ids.begin() + batch.seq_start[s];
        const auto end = batch.input_ids.begin() + batch.seq_start[s + 1];
        if (std::find(begin, end, kPoison) != end) fail("id ", kPoison, " broke the model");
        logits[2 * s] = static_cast<float>(std::accumulate(begin, end, 0));
        logits[2 * s + 1] = static_cast<float>(batch.length(s));
      }
    };
  }
};

const auto kSoon = [] { return std::chrono::steady_clock::now() + 20s; };

TEST(ServeBatcher, EveryRequestGetsItsOwnRowsFromASharedBatch) {
  StandInModel model;
  ServeMetrics metrics;
  Batcher batcher(model.run(), 2, {16, 1000, 2s}, metrics, nullptr);
  auto a = batcher.submit(inputs({{1, 2, 3}, {10}}));
  auto b = batcher.submit(inputs({{5, 5}}));
  auto c = batcher.submit(inputs({{7, 7, 7, 7}}));
  batcher.stop();  // runs what is queued at once, without waiting to fill the batch
  for (auto* job : {a.get(), b.get(), c.get()}) ASSERT_TRUE(batcher.wait(*job, kSoon()));
  EXPECT_EQ(a->logits, (std::vector<float>{6, 3, 10, 1}));
  EXPECT_EQ(b->logits, (std::vector<float>{10, 2}));
  EXPECT_EQ(c->logits, (std::vector<float>{28, 4}));
  EXPECT_EQ(model.batch_sequences, (std::vector<int64_t>{4}));
  EXPECT_EQ(a->batch_sequences, 4);
  EXPECT_EQ(a->batch_tokens, 10);
  EXPECT_EQ(metrics.batch_sizes().count(), 1u);
}

TEST(ServeBatcher, BatchesKeepToTheirLimitsAndTheArrivalOrder) {
  StandInModel model;
  ServeMetrics metrics;
  Batcher batcher(model.run(), 2, {3, 8, 10s}, metrics, nullptr);
  EXPECT_FALSE(batcher.fits(inputs({{1}, {1}, {1}, {1}})));           // 4 sequences > 3
  EXPECT_FALSE(batcher.fits(inputs({{1, 1, 1, 1, 1, 1, 1, 1, 1}})));  // 9 tokens > 8
  EXPECT_THROW(batcher.submit(inputs({{1}, {1}, {1}, {1}})), Error);
  std::vector<std::shared_ptr<BatchJob>> jobs;
  for (const auto& sequences : std::vector<std::vector<std::vector<int32_t>>>{
           {{1, 1}, {1}},  // 2 sequences, 3 tokens
           {{2, 2, 2}},    // full: 3 sequences; the first batch runs at once
           {{3, 3, 3, 3, 3}},
           {{4, 4, 4, 4}},  // 9 tokens with the previous one: a batch of its own
       })
    jobs.push_back(batcher.submit(inputs(sequences)));
  ASSERT_TRUE(batcher.wait(*jobs[1], kSoon()));
  EXPECT_EQ(jobs[1]->batch_sequences, 3);
  batcher.stop();
  for (const auto& job : jobs) ASSERT_TRUE(batcher.wait(*job, kSoon()));
  EXPECT_EQ(model.batch_sequences, (std::vector<int64_t>{3, 1, 1}));
  EXPECT_EQ(jobs[2]->logits, (std::vector<float>{15, 5}));
}

TEST(ServeBatcher, ARequestThatBreaksTheModelFailsAlone) {
  StandInModel model;
  ServeMetrics metrics;
  Batcher batcher(model.run(), 2, {8, 100, 10s}, metrics, nullptr);
  auto good = batcher.submit(inputs({{1, 2}}));
  auto bad = batcher.submit(inputs({{3, kPoison}}));
  auto also_good = batcher.submit(inputs({{4}, {5, 6}}));
  batcher.stop();
  for (auto* job : {good.get(), bad.get(), also_good.get()})
    ASSERT_TRUE(batcher.wait(*job, kSoon()));
  EXPECT_TRUE(good->error.empty());
  EXPECT_EQ(good->logits, (std::vector<float>{3, 2}));
  EXPECT_NE(bad->error.find("broke the model"), std::string::npos) << bad->error;
  EXPECT_EQ(also_good->logits, (std::vector<float>{4, 1, 11, 2}));
  // The shared batch, then each request alone.
  EXPECT_EQ(model.batch_sequences, (std::vector<int64_t>{4, 1, 1, 2}));
}

TEST(ServeBatcher, RequestsWhoseClientsGaveUpAreSkipped) {
  StandInModel model;
  ServeMetrics metrics;
  Batcher batcher(model.run(), 2, {8, 100, 10s}, metrics, nullptr);
  auto abandoned = batcher.submit(inputs({{1}}));
  EXPECT_FALSE(batcher.wait(*abandoned, std::chrono::steady_clock::now() + 10ms));
  auto kept = batcher.submit(inputs({{2}}));
  batcher.stop();
  ASSERT_TRUE(batcher.wait(*kept, kSoon()));
  EXPECT_EQ(model.batch_sequences, (std::vector<int64_t>{1}));
  EXPECT_FALSE(abandoned->done);
  EXPECT_EQ(batcher.queue_size(), 0);
}

TEST(ServeBatcher, WithoutAWaitWhatIsQueuedRunsAtOnce) {
  StandInModel model;
  ServeMetrics metrics;
  Batcher batcher(model.run(), 2, {8, 100, 0ms}, metrics, nullptr);
  auto job = batcher.submit(inputs({{1, 2, 3}}));
  ASSERT_TRUE(batcher.wait(*job, kSoon()));
  EXPECT_EQ(job->batch_sequences, 1);
  EXPECT_GE(job->queue_seconds, 0);
}

TEST(ServeLabelDecisions, ThresholdsPerLabelOrForAllAndTheMostProbable) {
  const std::vector<float> p = {0.2f, 0.9f, 0.5f, 0.9f};
  EXPECT_EQ(labels_at_threshold(p, std::vector<float>{0.5f}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(labels_at_threshold(p, std::vector<float>{0.1f, 1.0f, 0.6f, 0.9f}),
            (std::vector<int64_t>{0, 3}));
  EXPECT_THROW(labels_at_threshold(p, std::vector<float>{0.1f, 0.2f}), Error);
  EXPECT_EQ(most_probable_labels(p, 3), (std::vector<int64_t>{1, 3, 2}));  // ties: lower id
  EXPECT_EQ(most_probable_labels(p, 10).size(), 4u);
  EXPECT_TRUE(most_probable_labels(p, 0).empty());
}

TEST(ServeArxivCategories, NamesForTheDataLabels) {
  EXPECT_EQ(arxiv_category_name("cs.LG"), "Machine Learning");
  EXPECT_EQ(arxiv_category_name("astro-ph"), "Astrophysics");
  EXPECT_EQ(arxiv_category_name("stat.TH"), "Statistics Theory");
  EXPECT_EQ(arxiv_category_name("math-ph"), "Mathematical Physics");
  EXPECT_FALSE(arxiv_category_name("cs.XX"));
  EXPECT_FALSE(arxiv_category_name(""));
  GREENBERT_SHARED_PATH(csv, "data/arxiv_data.csv");
  // Every term of the real data (a Python list in the last column) is a category with a name.
  std::ifstream in(csv);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::set<std::string> terms;
  for (size_t at = text.find("['"); at != std::string::npos; at = text.find("['", at + 1)) {
    const size_t end = text.find(']', at);
    for (size_t q = text.find('\'', at); q < end; q = text.find('\'', q + 1)) {
      const size_t close = text.find('\'', q + 1);
      terms.insert(text.substr(q + 1, close - q - 1));
      q = close;
    }
  }
  EXPECT_GT(terms.size(), 100u);
  for (const auto& term : terms) EXPECT_TRUE(arxiv_category_name(term)) << term;
}

TEST(ServeMetrics, HistogramsAreCumulative) {
  Histogram h({1, 2, 4});
  for (double v : {0.5, 1.0, 1.5, 3.0, 9.0}) h.observe(v);
  std::string out;
  h.write(out, "x", "a=\"b\"");
  EXPECT_EQ(out,
            "x_bucket{a=\"b\",le=\"1\"} 2\n"
            "x_bucket{a=\"b\",le=\"2\"} 3\n"
            "x_bucket{a=\"b\",le=\"4\"} 4\n"
            "x_bucket{a=\"b\",le=\"+Inf\"} 5\n"
            "x_sum{a=\"b\"} 15\n"
            "x_count{a=\"b\"} 5\n");
}

}  // namespace
}  // namespace greenbert
