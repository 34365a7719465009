#pragma once
// Every prediction greenbert makes (eval, predict, the trainer's validation and test passes)
// goes through predict_logits over ONE seam, BatchLogits: the function that turns a packed
// batch into logits. open_classifier makes it from a model directory with the inference session
// (infer/session.h: pre-packed fp32, bf16 or int8 weights); the trainer makes it from its live
// parameters with the reference encoder (model/bert.h), which it also trains.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "infer/precision.h"
#include "kernels/gemm.h"
#include "model/activations.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/model_dir.h"
#include "model/parameters.h"
#include "text/bert_tokenizer.h"
#include "train/batching.h"

namespace greenbert {

// logits (B, labels) of a packed batch of at most max_batch sequences of at most max_length
// tokens each.
using BatchLogits = std::function<void(const TokenBatch& batch, std::span<float> logits)>;

// A model ready to classify: what the tokenizer, the labels and the decision need, and the
// backend that computes logits.
struct Classifier {
  BertConfig config;  // architecture and labels (config.labels, in id order)
  BertTokenizer tokenizer;
  Thresholds thresholds;
  std::string precision = "f32";  // the session's: the directory's unless the caller chose
  int64_t parameters = 0;
  int64_t max_batch = 0;   // the most sequences one call of `logits` takes
  int64_t max_length = 0;  // the longest sequence it takes, in tokens
  BatchLogits logits;
  // "greenbert-linear" for the linear baseline (model/linear_model.h), whose config holds only
  // what the seams need (labels, vocabulary size, token types); empty for an encoder.
  std::string model_type;
};

struct ClassifierOptions {
  int64_t max_batch = 32;
  int64_t max_length = 0;  // 0: the model's positions, at most 512
  // Unset: the directory's precision. An fp32 directory can run at any precision (quantized in
  // memory exactly as `greenbert quantize` would); a quantized one only at its own.
  std::optional<InferencePrecision> precision;
  int threads = 0;  // 0: the physical cores
};

// Opens a model directory (a training run, a `greenbert quantize` output, an HF-style
// directory with a classification head, or a linear baseline) for inference. The workspace is sized
// here, once, for max_batch × max_length.
Classifier open_classifier(const std::filesystem::path& dir, const ClassifierOptions& options);

// The reference backend over parameters owned by the caller (the trainer's live parameters).
// `acts` must have been sized for the batches it will be given; all three must outlive the
// returned function.
BatchLogits reference_logits(const BertConfig& config, const ParameterBuffer& params,
                             Activations& acts, Precision gemm = Precision::f32);

// Logits (n, labels) of every example of `data`, in data order, computed in batches of up to
// max_batch examples of similar length. on_batch(sequences done so far) runs after each batch.
std::vector<float> predict_logits(const BatchLogits& logits, int64_t labels, int64_t max_batch,
                                  const EncodedExamples& data,
                                  const std::function<void(int64_t)>& on_batch = {});

// σ(logits), element-wise.
std::vector<float> probabilities_of(std::span<const float> logits);

// Multi-hot targets (n, labels) of `data`'s label ids, as compute_metrics takes them.
std::vector<uint8_t> target_matrix(const EncodedExamples& data, int64_t labels);

}  // namespace greenbert
