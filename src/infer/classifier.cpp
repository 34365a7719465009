#include "infer/classifier.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace greenbert {

InferenceClassifier open_inference_classifier(const std::filesystem::path& dir,
                                              const SessionOptions& options) {
  ModelFiles files = load_model_files(dir);
  return {std::move(files.tokenizer), std::move(files.thresholds),
          InferenceSession::open(dir, options)};
}

std::vector<size_t> order_by_length(std::span<const Encoding> encodings) {
  std::vector<size_t> order(encodings.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return encodings[a].input_ids.size() > encodings[b].input_ids.size();
  });
  return order;
}

void add_encoding(TokenBatch& batch, const Encoding& encoding) {
  size_t length = encoding.input_ids.size();
  if (!encoding.attention_mask.empty()) {
    length = static_cast<size_t>(
        std::find(encoding.attention_mask.begin(), encoding.attention_mask.end(), 0) -
        encoding.attention_mask.begin());
    if (std::any_of(encoding.attention_mask.begin() + static_cast<std::ptrdiff_t>(length),
                    encoding.attention_mask.end(), [](int32_t m) { return m != 0; }))
      fail("an encoding's attention mask has holes; only right padding is supported");
  }
  const std::span<const int32_t> ids(encoding.input_ids.data(), length);
  std::span<const int32_t> types;
  if (!encoding.token_type_ids.empty()) types = {encoding.token_type_ids.data(), length};
  batch.add_sequence(ids, types);
}

std::vector<float> predict_probabilities(InferenceSession& session,
                                         std::span<const Encoding> encodings, int64_t batch_size) {
  if (batch_size < 1) fail("batch size must be at least 1, got ", batch_size);
  const int64_t labels = session.config().num_labels();
  std::vector<float> probabilities(encodings.size() * static_cast<size_t>(labels));
  const std::vector<size_t> order = order_by_length(encodings);
  TokenBatch batch;
  std::vector<float> logits;
  for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(batch_size));
    batch.clear();
    for (size_t i = begin; i < end; ++i) add_encoding(batch, encodings[order[i]]);
    logits.resize((end - begin) * static_cast<size_t>(labels));
    session.run(batch, logits);
    for (size_t i = begin; i < end; ++i)
      for (int64_t l = 0; l < labels; ++l) {
        const float z = logits[(i - begin) * static_cast<size_t>(labels) + static_cast<size_t>(l)];
        probabilities[order[i] * static_cast<size_t>(labels) + static_cast<size_t>(l)] =
            1.0f / (1.0f + std::exp(-z));
      }
  }
  return probabilities;
}

}  // namespace greenbert
