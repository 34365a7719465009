#pragma once
// A model directory ready to classify: tokenizer, thresholds and an inference session, plus the
// one function that turns encoded texts into probabilities — the seam `eval`, `predict` and
// `bench` run through, whatever the directory's precision (fp32, bf16, int8).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "infer/session.h"
#include "model/model_dir.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

struct InferenceClassifier {
  BertTokenizer tokenizer;
  Thresholds thresholds;
  InferenceSession session;

  const BertConfig& config() const { return session.config(); }
};

// Any model directory load_model reads, or one written by `greenbert quantize`.
InferenceClassifier open_inference_classifier(const std::filesystem::path& dir,
                                              const SessionOptions& options);

// Indices of `encodings` sorted by length (longest first, ties in input order): cutting this
// order into consecutive batches forms batches of similar lengths.
std::vector<size_t> order_by_length(std::span<const Encoding> encodings);

// Appends an encoding (right padding, if any, is dropped) to a packed batch.
void add_encoding(TokenBatch& batch, const Encoding& encoding);

// probabilities (n, labels) = sigmoid(logits) of every encoding, in input order, computed in
// batches of up to batch_size sequences formed by length.
std::vector<float> predict_probabilities(InferenceSession& session,
                                         std::span<const Encoding> encodings, int64_t batch_size);

}  // namespace greenbert
