#include "infer/classifier.h"

#include <algorithm>
#include <memory>

#include "core/error.h"
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

std::string empty_input_problem(const PredictInput& input, const BertTokenizer& tokenizer) {
  if (input.has_ids) return {};
  // Empty means no tokens: a text of only spaces the tokenizer drops (U+3000, U+200B, control
  // characters) would otherwise be classified as [CLS] [SEP].
  std::vector<int32_t> tokens;
  tokenizer.tokenize(input.text.abstract, tokens);
  if (!tokens.empty()) return {};
  return cat(input.where,
             ": the text is empty (no tokens: only spaces, invisible or control characters)");
}

EncodedExamples encode_inputs(std::span<const PredictInput> inputs, const BertTokenizer& tokenizer,
                              const BertConfig& config, TextInput text, size_t max_length) {
  std::vector<Example> examples(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].has_ids) continue;
    const std::string problem = empty_input_problem(inputs[i], tokenizer);
    if (!problem.empty()) fail(problem);
    examples[i] = inputs[i].text;
  }
  EncodedExamples texts = encode_examples(tokenizer, examples, text, max_length);
  bool any_ids = false;
  for (const auto& input : inputs) any_ids = any_ids || input.has_ids;
  if (!any_ids) return texts;

  // Mixed input: rebuilt with explicit token types and positions for every example.
  EncodedExamples encoded;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const PredictInput& input = inputs[i];
    const auto at = static_cast<int64_t>(i);
    if (input.has_ids) {
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
      encoded.ids.insert(encoded.ids.end(), input.input_ids.begin(), input.input_ids.end());
      encoded.token_types.insert(encoded.token_types.end(), input.token_type_ids.begin(),
                                 input.token_type_ids.end());
      encoded.positions.insert(encoded.positions.end(), input.position_ids.begin(),
                               input.position_ids.end());
    } else {
      const auto ids = texts.example_ids(at);
      const auto types = texts.example_types(at);
      encoded.ids.insert(encoded.ids.end(), ids.begin(), ids.end());
      if (types.empty())
        encoded.token_types.insert(encoded.token_types.end(), ids.size(), 0);
      else
        encoded.token_types.insert(encoded.token_types.end(), types.begin(), types.end());
      for (size_t p = 0; p < ids.size(); ++p) encoded.positions.push_back(static_cast<int32_t>(p));
    }
    encoded.offsets.push_back(static_cast<int64_t>(encoded.ids.size()));
    encoded.label_offsets.push_back(0);
  }
  return encoded;
}

}  // namespace greenbert
