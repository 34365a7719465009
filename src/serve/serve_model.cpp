#include "serve/serve_model.h"

#include "core/error.h"
#include "infer/classifier.h"
#include "model/model_directory.h"

namespace greenbert {

ServeModel ServeModel::open(const std::filesystem::path& dir, const ServeModelOptions& options) {
  ModelDirectory model = ModelDirectory::open(dir);
  const TextInput text = options.text.value_or(model.run_text);
  const int64_t max_length = options.max_length.value_or(model.run_max_length);
  auto classifier = std::make_unique<Classifier>(open_classifier(
      std::move(model), {options.max_batch, max_length, options.precision, options.threads}));
  const BertConfig& config = classifier->config;
  ServeModelInfo info;
  const auto path = std::filesystem::absolute(dir).lexically_normal();
  info.name = (path.has_filename() ? path : path.parent_path()).filename().string();
  info.config = &config;
  info.precision = precision_name(classifier->precision);
  info.activation = classifier->activation;
  const auto effective = classifier->thresholds.effective();
  info.thresholds.assign(config.labels.size(), effective[0]);
  if (effective.size() == config.labels.size())
    info.thresholds.assign(effective.begin(), effective.end());
  info.global_threshold = classifier->thresholds.global;
  info.per_label_thresholds = classifier->thresholds.use_per_label;
  info.text = text;
  info.parameters = classifier->parameters;
  info.max_length = classifier->max_length;
  info.max_batch = classifier->max_batch;
  return ServeModel(std::move(classifier), std::move(info));
}

ServeModel::ServeModel(std::unique_ptr<Classifier> classifier, ServeModelInfo info)
    : classifier_(std::move(classifier)), info_(std::move(info)) {}
ServeModel::ServeModel(ServeModel&&) noexcept = default;
ServeModel& ServeModel::operator=(ServeModel&&) noexcept = default;
ServeModel::~ServeModel() = default;

EncodedExamples ServeModel::encode(std::span<const Example> texts) const {
  std::vector<PredictInput> inputs(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    inputs[i].where = cat("inputs[", i, "]");
    inputs[i].text = texts[i];
  }
  EncodedInputs encoded = encode_inputs(inputs, classifier_->tokenizer, classifier_->config,
                                        info_.text, static_cast<size_t>(info_.max_length));
  for (const std::string& problem : encoded.problems)
    if (!problem.empty()) fail(problem);
  return std::move(encoded.encoded);
}

void ServeModel::run(const TokenBatch& batch, std::span<float> logits) const {
  classifier_->logits(batch, logits);
}

std::vector<float> ServeModel::probabilities(std::span<const float> logits) const {
  return probabilities_of(logits, classifier_->config.num_labels(), info_.activation);
}

}  // namespace greenbert
