#include "train/inference.h"

#include <algorithm>
#include <memory>

#include "core/error.h"
#include "infer/session.h"
#include "kernels/loss.h"
#include "model/bert.h"
#include "model/linear_model.h"

namespace greenbert {

BatchLogits reference_logits(const BertConfig& config, const ParameterBuffer& params,
                             Activations& acts, Precision gemm) {
  return [&config, &params, &acts, gemm](const TokenBatch& batch, std::span<float> logits) {
    forward(config, params, batch, {false, 0, gemm}, acts, logits);
  };
}

namespace {

// The linear baseline behind the same seam: fp32 only, any length (it reads all it is given).
Classifier open_linear_classifier(const std::filesystem::path& dir,
                                  const ClassifierOptions& options) {
  if (options.precision && *options.precision != InferencePrecision::f32)
    fail(dir.string(), ": a linear model runs in fp32 only (it has no bf16 or int8 copy)");
  auto model = std::make_shared<const LinearModel>(load_linear_model(dir));
  const int64_t max_length = options.max_length > 0 ? options.max_length : 512;
  BertConfig config;
  config.labels = model->config.labels;
  config.vocab_size = model->config.vocab_size;
  config.hidden_size = model->config.width();
  config.num_layers = 0;
  config.max_position_embeddings = max_length;
  Classifier classifier{config,
                        model->tokenizer,
                        model->thresholds,
                        "fp32",
                        model->parameter_count(),
                        options.max_batch,
                        max_length,
                        {},
                        kLinearModelType};
  classifier.logits = [model](const TokenBatch& batch, std::span<float> logits) {
    linear_forward(*model, batch, logits);
  };
  return classifier;
}

}  // namespace

Classifier open_classifier(const std::filesystem::path& dir, const ClassifierOptions& options) {
  if (options.max_batch < 1 || options.max_length < 0)
    fail("inference needs a batch of at least 1 and a max length >= 0, got ", options.max_batch,
         " and ", options.max_length);
  if (is_linear_model_dir(dir)) return open_linear_classifier(dir, options);
  ModelFiles files = load_model_files(dir);
  const int64_t positions = files.config.max_position_embeddings;
  const int64_t max_length =
      options.max_length > 0 ? options.max_length : std::min<int64_t>(512, positions);
  if (max_length > positions)
    fail(dir.string(), ": max length ", max_length, " exceeds the model's ", positions,
         " positions");
  SessionOptions session_options;
  session_options.precision = options.precision;
  session_options.threads = options.threads;
  session_options.max_tokens = options.max_batch * max_length;
  session_options.max_sequences = options.max_batch;
  // BatchLogits must be copyable and the session is move-only: it is shared.
  auto session = std::make_shared<InferenceSession>(InferenceSession::open(dir, session_options));
  Classifier classifier{files.config,
                        std::move(files.tokenizer),
                        std::move(files.thresholds),
                        inference_precision_name(session->precision()),
                        ParameterLayout(files.config).parameter_count(),
                        options.max_batch,
                        max_length,
                        {},
                        ""};
  classifier.logits = [session](const TokenBatch& batch, std::span<float> logits) {
    session->run(batch, logits);
  };
  return classifier;
}

std::vector<float> predict_logits(const BatchLogits& logits, int64_t labels, int64_t max_batch,
                                  const EncodedExamples& data,
                                  const std::function<void(int64_t)>& on_batch) {
  const BatchPlan plan = plan_inference(data.lengths(), max_batch);
  std::vector<float> result(static_cast<size_t>(data.size() * labels));
  std::vector<float> batch_logits(static_cast<size_t>(max_batch * labels));
  TokenBatch batch;
  int64_t done = 0;
  for (int64_t b = 0; b < plan.batches(); ++b) {
    const auto indices = plan.batch(b);
    fill_batch(data, indices, batch);
    const auto rows = static_cast<int64_t>(indices.size());
    logits(batch, std::span<float>(batch_logits).first(static_cast<size_t>(rows * labels)));
    for (int64_t r = 0; r < rows; ++r)
      std::copy_n(batch_logits.begin() + r * labels, labels,
                  result.begin() + indices[static_cast<size_t>(r)] * labels);
    done += rows;
    if (on_batch) on_batch(done);
  }
  return result;
}

std::vector<float> probabilities_of(std::span<const float> logits) {
  std::vector<float> p(logits.size());
  sigmoid(p.data(), logits.data(), static_cast<int64_t>(logits.size()));
  return p;
}

std::vector<uint8_t> target_matrix(const EncodedExamples& data, int64_t labels) {
  std::vector<uint8_t> targets(static_cast<size_t>(data.size() * labels), 0);
  for (int64_t i = 0; i < data.size(); ++i)
    for (int32_t label : data.example_labels(i)) {
      if (label < 0 || label >= labels)
        fail("target_matrix: label id ", label, " is outside 0..", labels - 1);
      targets[static_cast<size_t>(i * labels + label)] = 1;
    }
  return targets;
}

}  // namespace greenbert
