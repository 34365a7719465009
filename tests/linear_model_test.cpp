// The linear baseline (model/linear_model.h): features against a by-hand count, the batch
// forward against a dense naive reference, the SGD step's gradient against finite differences,
// the model directory round trip, and `greenbert train --preset linear` end to end (eval,
// predict and bench take its directory).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support.h"
#include "train/linear_sgd.h"
#include "train_support.h"

namespace greenbert {
namespace {

using nlohmann::json;

// The synthetic tokenizer's vocabulary, bigrams (5, 6) and (7, 5), random weights.
LinearModel small_model(int64_t dim, FeatureWeighting weighting, uint32_t seed) {
  LinearConfig c;
  c.vocab_size = testing::synthetic_tokenizer().vocab().size();
  c.dim = dim;
  c.weighting = weighting;
  c.labels = {"a", "b", "c", "d"};
  LinearModel m{c, {}, {}, {}, {}, {}, {}, testing::synthetic_tokenizer(), {}};
  m.bigram_pairs = {5, 6, 7, 5};
  m.config.bigrams = 2;
  m.bigrams = BigramIndex(m.bigram_pairs, c.vocab_size);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.5f);
  auto fill = [&](std::vector<float>& v, int64_t n) {
    v.resize(static_cast<size_t>(n));
    for (float& x : v) x = normal(rng);
  };
  fill(m.input, m.config.features() * m.config.width());
  fill(m.output_bias, c.num_labels());
  if (dim > 0) fill(m.output_weight, c.num_labels() * dim);
  if (weighting == FeatureWeighting::tfidf) {
    fill(m.idf, m.config.features());
    for (float& x : m.idf) x = 1.0f + std::abs(x);
  }
  return m;
}

// The features as a dense (features) vector, computed the obvious way.
std::vector<double> dense_features(const LinearModel& m, const std::vector<int32_t>& ids) {
  std::vector<double> counts(static_cast<size_t>(m.config.features()), 0.0);
  for (size_t i = 0; i < ids.size(); ++i) {
    counts[size_t(ids[i])] += 1;
    for (size_t b = 0; i + 1 < ids.size() && b < m.bigram_pairs.size(); b += 2)
      if (m.bigram_pairs[b] == ids[i] && m.bigram_pairs[b + 1] == ids[i + 1])
        counts[size_t(m.config.vocab_size) + b / 2] += 1;
  }
  double total = 0, squares = 0;
  for (size_t f = 0; f < counts.size(); ++f) {
    if (counts[f] == 0) continue;
    if (m.config.weighting == FeatureWeighting::tfidf)
      counts[f] = (1 + std::log(counts[f])) * m.idf[f];
    total += counts[f];
    squares += counts[f] * counts[f];
  }
  for (double& x : counts)
    x /= m.config.weighting == FeatureWeighting::tfidf ? std::sqrt(squares) : total;
  return counts;
}

std::vector<double> naive_logits(const LinearModel& m, const std::vector<int32_t>& ids) {
  const auto x = dense_features(m, ids);
  const int64_t W = m.config.width(), L = m.config.num_labels();
  std::vector<double> h(static_cast<size_t>(W), 0.0), logits(static_cast<size_t>(L), 0.0);
  for (size_t f = 0; f < x.size(); ++f)
    for (int64_t j = 0; j < W; ++j) h[size_t(j)] += x[f] * m.input[f * size_t(W) + size_t(j)];
  for (int64_t l = 0; l < L; ++l) {
    double sum = m.output_bias[size_t(l)];
    if (m.config.dim == 0) {
      sum += h[size_t(l)];
    } else {
      for (int64_t j = 0; j < W; ++j) sum += m.output_weight[size_t(l * W + j)] * h[size_t(j)];
    }
    logits[size_t(l)] = sum;
  }
  return logits;
}

const std::vector<int32_t> kIds = {2, 5, 6, 7, 5, 6, 9, 5, 3};

TEST(LinearModel, FeaturesCountTokensAndListedBigrams) {
  LinearModel m = small_model(0, FeatureWeighting::mean, 1);
  const auto V = static_cast<int32_t>(m.config.vocab_size);  // the first bigram's index
  std::vector<Feature> features;
  linear_features(m, kIds, features);
  // 9 tokens: 2, 3, 7, 9 once, 5 three times, 6 twice; bigrams (5,6) twice and (7,5) once.
  const std::vector<std::pair<int32_t, float>> expected = {{2, 1}, {3, 1}, {5, 3}, {6, 2},
                                                           {7, 1}, {9, 1}, {V, 2}, {V + 1, 1}};
  ASSERT_EQ(features.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(features[i].index, expected[i].first) << i;
    EXPECT_FLOAT_EQ(features[i].weight, expected[i].second / 12.0f) << i;  // of 12 in all
  }
}

TEST(LinearModel, ForwardMatchesTheDenseReference) {
  for (int64_t dim : {0, 3})
    for (FeatureWeighting w : {FeatureWeighting::mean, FeatureWeighting::tfidf}) {
      const LinearModel m = small_model(dim, w, 7);
      TokenBatch batch;
      const std::vector<int32_t> other = {4, 4, 11, 7, 5};
      batch.add_sequence(kIds);
      batch.add_sequence(other);
      std::vector<float> logits(8);
      linear_forward(m, batch, logits);
      for (int s = 0; s < 2; ++s) {
        const auto expected = naive_logits(m, s == 0 ? kIds : other);
        for (size_t l = 0; l < 4; ++l)
          EXPECT_NEAR(logits[size_t(s) * 4 + l], expected[l], 1e-5)
              << "dim " << dim << " " << weighting_name(w) << " sequence " << s << " label " << l;
      }
    }
}

TEST(LinearModel, ChoosesBigramsSeenInEnoughTextsMostFrequentFirst) {
  LinearModel m = small_model(0, FeatureWeighting::mean, 1);
  const std::vector<int32_t> a = {5, 6, 5, 6, 7}, b = {5, 6, 8, 9}, c = {8, 9, 1, 2};
  choose_bigrams(m, {a, b, c}, 1, 2);  // (5,6) and (8,9) are in 2 texts: (5,6), smaller ids
  EXPECT_EQ(m.bigram_pairs, (std::vector<int32_t>{5, 6}));
  choose_bigrams(m, {a, b, c}, 10, 2);
  EXPECT_EQ(m.bigram_pairs, (std::vector<int32_t>{5, 6, 8, 9}));
  EXPECT_EQ(m.bigrams.find(8, 9), m.config.vocab_size + 1);
  EXPECT_EQ(m.bigrams.find(6, 5), -1);
  const auto idf = inverse_document_frequency(m, {a, b, c});
  EXPECT_FLOAT_EQ(idf[5], static_cast<float>(std::log(4.0 / 3.0) + 1));  // 2 of 3 texts
  EXPECT_FLOAT_EQ(idf[0], static_cast<float>(std::log(4.0) + 1));        // none
}

// The loss the step descends, computed from scratch in double.
double example_loss(const LinearModel& m, const std::vector<float>& targets) {
  const auto logits = naive_logits(m, kIds);
  double loss = 0;
  for (size_t l = 0; l < logits.size(); ++l) {
    const double p = 1 / (1 + std::exp(-logits[l]));
    loss -= targets[l] ? std::log(p) : std::log(1 - p);
  }
  return loss;
}

TEST(LinearSgd, StepIsTheLossGradientByFiniteDifferences) {
  const std::vector<float> targets = {1, 0, 0, 1};
  for (int64_t dim : {0, 3}) {
    const LinearModel before = small_model(dim, FeatureWeighting::tfidf, 3);
    LinearModel after = before;
    std::vector<Feature> features;
    linear_features(before, kIds, features);
    LinearStepScratch scratch;
    const float lr = 0.5f;
    const double loss = linear_sgd_step(after, features, targets, lr, scratch);
    EXPECT_NEAR(loss, example_loss(before, targets), 1e-5);
    // Every parameter moved by -lr · gradient: compare with central differences.
    auto check = [&](std::vector<float> LinearModel::*tensor, const char* name) {
      for (size_t i = 0; i < (before.*tensor).size(); ++i) {
        const double step = (before.*tensor)[i] - (after.*tensor)[i];
        LinearModel probe = before;
        const double eps = 1e-3;
        (probe.*tensor)[i] = static_cast<float>((before.*tensor)[i] + eps);
        const double up = example_loss(probe, targets);
        (probe.*tensor)[i] = static_cast<float>((before.*tensor)[i] - eps);
        const double down = example_loss(probe, targets);
        EXPECT_NEAR(step / lr, (up - down) / (2 * eps), 2e-4)
            << name << "[" << i << "], dim " << dim;
      }
    };
    check(&LinearModel::input, "input");
    check(&LinearModel::output_bias, "output.bias");
    check(&LinearModel::output_weight, "output.weight");
  }
}

TEST(LinearModel, DirectoryRoundTripsAndRejectsAWrongShape) {
  const auto dir = testing::temp_dir("linear-model-dir");
  LinearModel m = small_model(3, FeatureWeighting::tfidf, 5);
  m.thresholds = {0.3f, {0.2f, 0.4f, 0.5f, 0.6f}, true};
  save_linear_model(dir, m);
  const ModelDirectory opened = ModelDirectory::open(dir);
  EXPECT_EQ(opened.kind, ModelKind::linear);
  const LinearModel loaded = load_linear_model(opened);
  EXPECT_EQ(loaded.input, m.input);
  EXPECT_EQ(loaded.output_weight, m.output_weight);
  EXPECT_EQ(loaded.output_bias, m.output_bias);
  EXPECT_EQ(loaded.idf, m.idf);
  EXPECT_EQ(loaded.bigram_pairs, m.bigram_pairs);
  EXPECT_EQ(loaded.config.labels, m.config.labels);
  EXPECT_TRUE(loaded.thresholds.use_per_label);
  EXPECT_EQ(loaded.thresholds.per_label, m.thresholds.per_label);

  auto config = json::parse(read_file(dir / "config.json"));
  config["dim"] = 4;
  write_file_atomically(dir / "config.json", config.dump());
  try {
    ModelDirectory::open(dir);
    FAIL() << "a dim that disagrees with the weights must not load";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
  }
}

TEST(LinearCli, TrainEvalPredictAndBenchTakeTheLinearModel) {
  const auto dir = testing::temp_dir("linear-cli");
  const auto data = testing::write_synthetic_csv(dir / "data.csv", 300, 11);
  const auto run = dir / "run";
  auto trained = testing::run_cli(cat("train --preset linear --data ", data.string(),
                                      " --split-ratios 0.8,0.1,0.1 --vocab-size 120 --epochs 5 "
                                      "--threads 1 --out ",
                                      run.string()));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_EQ(ModelDirectory::open(run).kind, ModelKind::linear);
  const auto metrics = json::parse(read_file(run / "metrics.json"));
  EXPECT_EQ(metrics["model"]["model_type"], kLinearModelType);
  // The synthetic labels are spelled out by their topic words: a bag of words learns them.
  EXPECT_GT(metrics["test"]["micro_f1"].get<double>(), 0.9);
  for (const char* phase : {"train", "eval-val", "eval-test"})
    EXPECT_GT(metrics["energy"][phase]["kwh"].get<double>(), 0) << phase;

  auto evaluated = testing::run_cli(cat("eval --model ", run.string(), " --json --threads 1"));
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  const auto eval = json::parse(evaluated.out);
  EXPECT_EQ(eval["model"]["model_type"], kLinearModelType);
  EXPECT_EQ(eval["metrics"], metrics["test"]);
  EXPECT_EQ(eval["papers"]["predicted"].size(), metrics["data"]["test"].get<size_t>());

  auto predicted = testing::run_cli(cat("predict --model ", run.string(), " --threads 1"),
                                    "qubita qubitb qubitc qubitd qubite qubitf\n");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  EXPECT_NE(predicted.out.find("quant-ph"), std::string::npos) << predicted.out;

  auto bench = testing::run_cli(cat("bench --model ", run.string(),
                                    " --precisions fp32,int8 --batch-sizes 1 --abstracts 4 "
                                    "--repeats 1 --throughput-rows 8 --threads 1 --data ",
                                    data.string(), " --out ", (dir / "bench.json").string(),
                                    " --work-dir ", (dir / "bench-work").string()));
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.err.find("fp32 only"), std::string::npos) << bench.err;
  EXPECT_NE(read_file(dir / "bench.json").find(kLinearModelType), std::string::npos);
}

}  // namespace
}  // namespace greenbert
