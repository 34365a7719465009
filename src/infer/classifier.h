#pragma once
// A model directory ready to classify: what eval, predict (and a service) need of it — the
// labels, the tokenizer, the decision thresholds — and the logits of a packed batch from the
// inference session (infer/session.h: pre-packed fp32, bf16 or int8 weights).
//
//   Classifier c = open_classifier(ModelDirectory::open(dir), {.max_batch = 32});
//   EncodedExamples in = encode_examples(c.tokenizer, examples, TextInput::abstract, c.max_length);
//   std::vector<float> logits = predict_logits(c.logits, c.config.num_labels(), c.max_batch, in);
//
// predict_logits works over ONE seam, BatchLogits: the trainer's validation passes give it the
// reference encoder over its live parameters instead (model/bert.h).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/precision.h"
#include "data/batching.h"
#include "data/predict_reader.h"
#include "model/model_directory.h"

namespace greenbert {

// logits (B, labels) of a packed batch of at most max_batch sequences of at most max_length
// tokens each.
using BatchLogits = std::function<void(const TokenBatch& batch, std::span<float> logits)>;

// How logits become probabilities, decided by config.json's problem_type as transformers'
// text-classification pipeline decides: multi_label_classification takes a sigmoid per label,
// single_label_classification a softmax over the labels; without a problem_type, a softmax
// when there are several labels and a sigmoid for one. A regression head is no classifier.
enum class OutputActivation { sigmoid, softmax };
const char* output_activation_name(OutputActivation activation);  // "sigmoid" / "softmax"
// Throws greenbert::Error naming `source` for problem_type regression or an unknown one.
OutputActivation output_activation(const BertConfig& config, const std::string& source);

struct Classifier {
  BertConfig config;  // architecture and labels (config.labels, in id order)
  OutputActivation activation = OutputActivation::sigmoid;
  BertTokenizer tokenizer;
  Thresholds thresholds;
  Precision precision = Precision::fp32;  // the session's: the directory's unless the caller chose
  int64_t parameters = 0;
  int64_t max_batch = 0;   // the most sequences one call of `logits` takes
  int64_t max_length = 0;  // the longest sequence it takes, in tokens
  BatchLogits logits;
  // linear: greenbert's linear baseline (model/linear_model.h), whose config holds only what the
  // seams need (labels, vocabulary size, token types, positions).
  ModelKind kind = ModelKind::encoder;
};

struct ClassifierOptions {
  int64_t max_batch = 32;
  int64_t max_length = 0;  // 0: the model's positions, at most 512
  // Unset: the directory's precision. An fp32 directory can run at any precision (quantized in
  // memory exactly as `greenbert quantize` would); a quantized one only at its own.
  std::optional<Precision> precision;
  int threads = 0;  // 0: the physical cores
};

// The directory (a training run, a `greenbert quantize` output, an HF-style directory with a
// classification head, or a linear baseline: open_classifier dispatches on its kind) ready for
// inference; its workspace is sized here, once, for max_batch × max_length. The directory is moved
// in: its description becomes the classifier's.
Classifier open_classifier(ModelDirectory model, const ClassifierOptions& options);

// Logits (n, labels) of every example of `data`, in data order, computed in batches of up to
// max_batch examples of similar length. on_batch(sequences done so far) runs after each batch.
std::vector<float> predict_logits(const BatchLogits& logits, int64_t labels, int64_t max_batch,
                                  const EncodedExamples& data,
                                  const std::function<void(int64_t)>& on_batch = {});

// probabilities (n, labels) of logits (n, labels) by `activation`.
std::vector<float> probabilities_of(std::span<const float> logits, int64_t labels,
                                    OutputActivation activation);

// encode_inputs' model input, and the inputs it left out.
struct EncodedInputs {
  EncodedExamples encoded;  // the inputs that can be classified, in input order
  // (inputs): "" for an input in `encoded`; for one left out, why: "WHERE: the text is empty (no
  // tokens: only spaces, invisible or control characters)". Empty means the abstract has no
  // tokens, whatever spaces it holds: it would otherwise be classified as [CLS] [SEP].
  std::vector<std::string> problems;
};

// Model input for `inputs` (data/predict_reader.h), each text tokenized once: texts encoded as
// the model was trained (`text`, truncated to max_length), token ids checked against `config`
// (vocabulary, token types, positions) and max_length. Labels are empty. Throws greenbert::Error
// naming the input for model input the model cannot take.
EncodedInputs encode_inputs(std::span<const PredictInput> inputs, const BertTokenizer& tokenizer,
                            const BertConfig& config, TextInput text, size_t max_length);

}  // namespace greenbert
