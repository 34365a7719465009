// The inference session against the training path's fp32 forward pass (model/bert.h): fp32 to
// 1e-5, bf16 and int8 within the tolerances their rounding allows, for BERT and DistilBERT, one
// and several threads, blocks smaller than a thread's rows, batches of one and many sequences.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "infer/session.h"
#include "infer_support.h"
#include "numeric.h"

namespace greenbert {
namespace {

using testing::all_close;

// Largest |a - b| relative to the largest |b|: how int8/bf16 logits are judged (their error
// scales with the logits, not per element).
double relative_max_error(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0, scale = 1e-12;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  return worst / scale;
}

struct SessionCase {
  ModelType type;
  int threads;
  int64_t block_rows;
};

class SessionTest : public ::testing::TestWithParam<SessionCase> {};

TEST_P(SessionTest, Fp32MatchesTrainingForward) {
  const SessionCase c = GetParam();
  const BertConfig config = testing::small_config(c.type);
  const ParameterBuffer params = testing::random_parameters(config, 11);
  SessionOptions options;
  options.threads = c.threads;
  options.block_rows = c.block_rows;
  InferenceSession session = InferenceSession::from_parameters(config, params, options);
  EXPECT_EQ(session.precision(), Precision::fp32);
  for (const std::vector<int>& lengths :
       {std::vector<int>{1}, {37}, {150, 3, 64, 17, 90}, {5, 5, 5, 5, 5, 5, 5, 5, 5}}) {
    const TokenBatch batch = testing::random_batch(config, lengths, 3);
    const auto expected = testing::reference_logits(config, params, batch);
    EXPECT_TRUE(all_close(session.run(batch), expected, 1e-5, 1e-5)) << lengths.size();
  }
}

TEST_P(SessionTest, Bf16AndInt8StayCloseToFp32) {
  const SessionCase c = GetParam();
  const BertConfig config = testing::small_config(c.type);
  const ParameterBuffer params = testing::random_parameters(config, 12);
  const TokenBatch batch = testing::random_batch(config, {120, 7, 33, 64}, 4);
  const auto expected = testing::reference_logits(config, params, batch);
  struct Variant {
    Precision precision;
    ActivationType activations;
    Precision attention;
    double tolerance;  // of relative_max_error
  };
  for (const Variant v : {Variant{Precision::bf16, ActivationType::u8, Precision::bf16, 0.02},
                          Variant{Precision::int8, ActivationType::u8, Precision::fp32, 0.05},
                          Variant{Precision::int8, ActivationType::s8, Precision::bf16, 0.06}}) {
    SessionOptions options;
    options.threads = c.threads;
    options.block_rows = c.block_rows;
    options.precision = v.precision;
    options.activations = v.activations;
    options.attention = v.attention;
    InferenceSession session = InferenceSession::from_parameters(config, params, options);
    const auto logits = session.run(batch);
    const double error = relative_max_error(logits, expected);
    const double tolerance = v.precision == Precision::int8
                                 ? v.tolerance * testing::int8_activation_step_factor()
                                 : v.tolerance;
    EXPECT_LT(error, tolerance) << precision_name(v.precision) << " "
                                << activation_type_name(v.activations);
    EXPECT_GT(error, 0.0) << "a quantized session should not be bit-exact";
  }
}

INSTANTIATE_TEST_SUITE_P(Models, SessionTest,
                         ::testing::Values(SessionCase{ModelType::bert, 1, 128},
                                           SessionCase{ModelType::bert, 2, 32},
                                           SessionCase{ModelType::distilbert, 2, 16},
                                           SessionCase{ModelType::distilbert, 3, 128}));

}  // namespace
}  // namespace greenbert
