#include "infer/classifier.h"

#include <algorithm>
#include <memory>

#include "core/error.h"
#include "data/encode_example.h"
#include "infer/session.h"
#include "kernels/loss.h"
#include "kernels/softmax.h"
#include "model/linear_model.h"

namespace greenbert {
namespace {

// The linear baseline behind the same seam: fp32 only, any length (it reads all it is given).
// Its config holds what the seams read: labels, vocabulary size, token types, positions.
Classifier open_linear_classifier(ModelDirectory model, const ClassifierOptions& options) {
  if (options.precision && *options.precision != Precision::fp32)
    fail(model.path.string(), ": a linear model runs in fp32 only (it has no bf16 or int8 copy)");
  auto linear = std::make_shared<const LinearModel>(load_linear_model(model));
  const int64_t max_length = options.max_length > 0 ? options.max_length : 512;
  BertConfig config = std::move(model.config);
  config.hidden_size = linear->config.width();
  config.num_layers = 0;
  config.max_position_embeddings = max_length;
  Classifier classifier{std::move(config),
                        OutputActivation::sigmoid,  // one-vs-all: multi-label
                        std::move(model.tokenizer),
                        std::move(model.thresholds),
                        Precision::fp32,
                        linear->parameter_count(),
                        options.max_batch,
                        max_length,
                        {},
                        ModelKind::linear};
  classifier.logits = [linear](const TokenBatch& batch, std::span<float> logits) {
    linear_forward(*linear, batch, logits);
  };
  return classifier;
}

}  // namespace

const char* output_activation_name(OutputActivation activation) {
  return activation == OutputActivation::softmax ? "softmax" : "sigmoid";
}

OutputActivation output_activation(const BertConfig& config, const std::string& source) {
  const std::string& type = config.problem_type;
  if (type == kMultiLabelProblem) return OutputActivation::sigmoid;
  if (type == "single_label_classification") return OutputActivation::softmax;
  if (type.empty())
    return config.num_labels() > 1 ? OutputActivation::softmax : OutputActivation::sigmoid;
  if (type == "regression") fail(source, ": problem_type \"regression\" is not a classifier");
  fail(source, ": unknown problem_type \"", type, "\" (expected ", kMultiLabelProblem,
       " or single_label_classification)");
}

Classifier open_classifier(ModelDirectory model, const ClassifierOptions& options) {
  if (options.max_batch < 1 || options.max_length < 0)
    fail("inference needs a batch of at least 1 and a max length >= 0, got ", options.max_batch,
         " and ", options.max_length);
  if (model.kind == ModelKind::linear) return open_linear_classifier(std::move(model), options);
  const OutputActivation activation =
      output_activation(model.config, (model.path / model_files::kConfig).string());
  const int64_t positions = model.config.max_position_embeddings;
  const int64_t max_length =
      options.max_length > 0 ? options.max_length : std::min<int64_t>(512, positions);
  if (max_length > positions)
    fail(model.path.string(), ": max length ", max_length, " exceeds the model's ", positions,
         " positions");
  SessionOptions session_options;
  session_options.precision = options.precision;
  session_options.threads = options.threads;
  session_options.max_tokens = options.max_batch * max_length;
  session_options.max_sequences = options.max_batch;
  // BatchLogits must be copyable and the session is move-only: it is shared.
  auto session = std::make_shared<InferenceSession>(InferenceSession::open(model, session_options));
  const int64_t parameters = ParameterLayout(model.config).parameter_count();
  Classifier classifier{
      std::move(model.config),     activation,           std::move(model.tokenizer),
      std::move(model.thresholds), session->precision(), parameters,
      options.max_batch,           max_length,           {},
      ModelKind::encoder};
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

std::vector<float> probabilities_of(std::span<const float> logits, int64_t labels,
                                    OutputActivation activation) {
  std::vector<float> p(logits.size());
  const auto n = static_cast<int64_t>(logits.size());
  if (activation == OutputActivation::sigmoid)
    sigmoid(p.data(), logits.data(), n);
  else
    softmax_forward(p.data(), logits.data(), n / labels, labels);
  return p;
}

namespace {

// Throws greenbert::Error naming `input` (HF model input) when the model cannot take it.
void check_model_input(const PredictInput& input, const BertConfig& config, size_t max_length) {
  if (input.input_ids.size() > max_length)
    fail(input.where, ": ", input.input_ids.size(), " tokens, more than the maximum length ",
         max_length);
  for (size_t t = 0; t < input.input_ids.size(); ++t) {
    if (input.input_ids[t] < 0 || input.input_ids[t] >= config.vocab_size)
      fail(input.where, ": input id ", input.input_ids[t], " is outside the vocabulary (",
           config.vocab_size, " tokens)");
    if (input.position_ids[t] >= config.max_position_embeddings)
      fail(input.where, ": position ", input.position_ids[t], " is beyond the model's ",
           config.max_position_embeddings, " positions");
    if (config.has_token_types() &&
        (input.token_type_ids[t] < 0 || input.token_type_ids[t] >= config.type_vocab_size))
      fail(input.where, ": token type ", input.token_type_ids[t], " is outside 0..",
           config.type_vocab_size - 1);
  }
}

template <typename T>
void append(std::vector<T>& to, const std::vector<T>& values) {
  to.insert(to.end(), values.begin(), values.end());
}

}  // namespace

EncodedInputs encode_inputs(std::span<const PredictInput> inputs, const BertTokenizer& tokenizer,
                            const BertConfig& config, TextInput text, size_t max_length) {
  const auto n = static_cast<int64_t>(inputs.size());
  std::vector<Encoding> texts(inputs.size());
  std::vector<uint8_t> empty(inputs.size(), 0);  // not vector<bool>: written in parallel
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t i = 0; i < n; ++i) {
    const auto at = static_cast<size_t>(i);
    if (inputs[at].has_ids) continue;
    bool abstract_empty = false;
    texts[at] = encode_example(tokenizer, inputs[at].text, text, max_length, &abstract_empty);
    empty[at] = abstract_empty;
  }
  // Text alone leaves token types (single texts) and positions implicit; mixed with model input,
  // every example has them explicit.
  const bool any_ids = std::any_of(inputs.begin(), inputs.end(),
                                   [](const PredictInput& input) { return input.has_ids; });
  const bool types = any_ids || text == TextInput::title_and_abstract;
  EncodedInputs result;
  result.problems.resize(inputs.size());
  EncodedExamples& encoded = result.encoded;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const PredictInput& input = inputs[i];
    if (empty[i]) {
      result.problems[i] =
          cat(input.where,
              ": the text is empty (no tokens: only spaces, invisible or control characters)");
      continue;
    }
    if (input.has_ids) {
      check_model_input(input, config, max_length);
      append(encoded.ids, input.input_ids);
      append(encoded.token_types, input.token_type_ids);
      append(encoded.positions, input.position_ids);
    } else {
      Encoding& e = texts[i];
      append(encoded.ids, e.input_ids);
      if (types) append(encoded.token_types, e.token_type_ids);
      if (any_ids)
        for (size_t p = 0; p < e.input_ids.size(); ++p)
          encoded.positions.push_back(static_cast<int32_t>(p));
      e = Encoding{};  // frees the copy as we go
    }
    encoded.offsets.push_back(static_cast<int64_t>(encoded.ids.size()));
    encoded.label_offsets.push_back(0);
  }
  return result;
}

}  // namespace greenbert
