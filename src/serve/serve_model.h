#pragma once
// The service's model: the ONE file of src/serve/ that knows how a model directory is opened and
// run (ModelDirectory, open_classifier and encode_inputs: infer/classifier.h). Everything else in
// the service sees a ServeModel.
//
//   ServeModel model = ServeModel::open("runs/bert-tiny", {.max_batch = 32});
//   EncodedExamples input = model.encode(texts);        // any thread (tokenizer is const)
//   model.run(batch, logits);                           // one thread at a time (the batcher)
//   std::vector<float> p = model.probabilities(logits);
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/precision.h"
#include "data/batching.h"
#include "data/dataset.h"
#include "infer/classifier.h"
#include "model/batch.h"

namespace greenbert {

struct ServeModelOptions {
  std::optional<Precision> precision;  // unset: the directory's
  int threads = 0;                     // 0: the physical cores
  int64_t max_batch = 32;              // the most sequences one run takes
  // Unset: as the training run (train_config.json) encoded its inputs, else the model's
  // positions (at most 512) and the abstract alone.
  std::optional<int64_t> max_length;
  std::optional<TextInput> text;  // how a title and abstract are fed
};

// What the service shows about its model and decides with.
struct ServeModelInfo {
  std::string name;  // the directory's name
  // The classifier's own (architecture, model_type, problem_type, labels in id order), which
  // lives as long as its ServeModel.
  const BertConfig* config = nullptr;
  std::string precision;  // "fp32" / "bf16" / "int8"
  OutputActivation activation = OutputActivation::sigmoid;
  std::vector<float> thresholds;  // one per label: the tuned per-label ones, or the global one
  float global_threshold = 0.5f;
  bool per_label_thresholds = false;
  TextInput text = TextInput::abstract;
  int64_t parameters = 0;
  int64_t max_length = 0;
  int64_t max_batch = 0;
};

class ServeModel {
 public:
  static ServeModel open(const std::filesystem::path& dir, const ServeModelOptions& options);
  ServeModel(ServeModel&&) noexcept;
  ServeModel& operator=(ServeModel&&) noexcept;
  ~ServeModel();

  const ServeModelInfo& info() const { return info_; }
  // Model input for texts (title may be empty), each truncated to max_length tokens. Labels are
  // empty. Throws greenbert::Error for text the tokenizer cannot take.
  EncodedExamples encode(std::span<const Example> texts) const;
  // logits (B, labels) of a packed batch of at most max_batch sequences of at most max_length
  // tokens. Not thread-safe: one caller at a time.
  void run(const TokenBatch& batch, std::span<float> logits) const;
  // probabilities (n, labels) of logits (n, labels), by the model's activation.
  std::vector<float> probabilities(std::span<const float> logits) const;

 private:
  ServeModel(std::unique_ptr<Classifier> classifier, ServeModelInfo info);

  std::unique_ptr<Classifier> classifier_;
  ServeModelInfo info_;
};

}  // namespace greenbert
