#pragma once
// greenbert's linear baseline: a bag of token n-grams → one sigmoid per label, in the manner of
// fastText (Joulin et al. 2017, "Bag of Tricks for Efficient Text Classification") and of TF-IDF
// + logistic regression, over the ids of the model's own WordPiece tokenizer, so that it reads
// the same inputs as every other model (eval, predict, bench pass it token batches).
//
//   features   every token id (unigram, < vocab_size) and every pair of adjacent ids that is in
//              the model's bigram list (vocab_size + its place in the list): the bigrams found in
//              at least min_df training texts, the most frequent first, at most max_bigrams.
//              An exact list rather than fastText's hashing: hashing 2-3 million distinct
//              bigrams into a table small enough for a one-weight-per-label model collides
//              ~10 to a bucket, and tf-idf gives the rare ones the largest weights.
//   weights    tfidf: (1 + ln count) · idf, L2-normalised (sklearn's TfidfVectorizer with
//              sublinear_tf, smooth idf from the training split);
//              mean: count / tokens (fastText's average)
//   hidden     h = Σ_f weight_f · input[f]                          (width)
//   logits     dim > 0: output.weight · h + output.bias (fastText's low-rank model, width = dim)
//              dim = 0: h + output.bias (logistic regression, width = labels)
//
// A model directory of this kind (ModelKind::linear) holds config.json (model/linear_config.h),
// model.safetensors (the tensors below, metadata format "greenbert-linear" and its version, both
// checked on load), vocab.txt + tokenizer_config.json, labels.json and thresholds.json, like an
// encoder's; ModelDirectory::open reads it, save_model writes it.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/batch.h"
#include "model/linear_config.h"
#include "model/model_directory.h"
#include "model/weights_format.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

// The bigram list as a hash table: the pair (a, b) → its feature index.
class BigramIndex {
 public:
  BigramIndex() = default;
  // `pairs` (2 · bigrams): a0 b0 a1 b1 ...; the i-th pair gets index vocab_size + i.
  BigramIndex(std::span<const int32_t> pairs, int64_t vocab_size);
  // The feature index of (a, b), or -1 when the pair is not in the list.
  int32_t find(int32_t a, int32_t b) const;

 private:
  std::vector<uint64_t> keys_;   // 0: empty slot (no pair packs to 0: ids are below 2^31 and
  std::vector<int32_t> values_;  // the key stores a + 1)
  uint64_t mask_ = 0;
};

struct LinearModel {
  LinearConfig config;
  std::vector<int32_t> bigram_pairs;  // (bigrams, 2)
  BigramIndex bigrams;
  std::vector<float> input;          // (features, width)
  std::vector<float> output_weight;  // (labels, dim); empty when dim = 0
  std::vector<float> output_bias;    // (labels)
  std::vector<float> idf;            // (features) for tfidf; empty for mean
  BertTokenizer tokenizer;
  Thresholds thresholds;

  int64_t parameter_count() const;
};

// A sparse feature of one text.
struct Feature {
  int32_t index = 0;
  float weight = 0;
};

// The features of one token sequence, sorted by index with repeats merged, weighted as the
// config says (model.idf for tfidf). Reuses `out`'s capacity.
void linear_features(const LinearModel& model, std::span<const int32_t> ids,
                     std::vector<Feature>& out);

// Sets model.bigram_pairs, model.bigrams and config.bigrams from the training texts: pairs in
// at least `min_df` texts, the `max_bigrams` most frequent (ties: smaller ids first).
void choose_bigrams(LinearModel& model, const std::vector<std::span<const int32_t>>& documents,
                    int64_t max_bigrams, int64_t min_df);

// The smoothed inverse document frequency of every feature over `documents` (each a token
// sequence): ln((1 + n) / (1 + df)) + 1, as sklearn computes it.
std::vector<float> inverse_document_frequency(
    const LinearModel& model, const std::vector<std::span<const int32_t>>& documents);

// logits (labels) of one text's features; hidden (width) is scratch that keeps h.
void linear_forward(const LinearModel& model, std::span<const Feature> features,
                    std::span<float> hidden, std::span<float> logits);

// logits (B, labels) of every sequence of a packed batch (sequences in parallel).
void linear_forward(const LinearModel& model, const TokenBatch& batch, std::span<float> logits);

// The tensors of a linear model's weights file (views into `model`, which must outlive them),
// under the file's names, and the metadata that marks the file as one.
ModelTensors linear_tensors(const LinearModel& model);
std::map<std::string, std::string> linear_weights_metadata();
// Checks a weights file's metadata (format and version) and tensors (exactly those `config`
// needs, each F32 or I32 with its shape, every value finite, every bigram id in the
// vocabulary). Throws greenbert::Error "LABEL: reason". ModelDirectory::open calls it.
void check_linear_weights(const std::map<std::string, std::string>& metadata,
                          const ModelTensors& tensors, const LinearConfig& config,
                          const std::string& label);

// Writes a model directory of this kind through save_model.
void save_linear_model(const std::filesystem::path& dir, const LinearModel& model);
// The model of an opened directory of kind linear (its weights checked by opening).
LinearModel load_linear_model(const ModelDirectory& dir);

}  // namespace greenbert
