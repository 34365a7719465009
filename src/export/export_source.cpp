#include "export/export_source.h"

#include <memory>

#include "core/error.h"
#include "core/json_document.h"
#include "infer/quantized_model.h"

namespace greenbert {
namespace {

// tokenizer_config.json's model_max_length when the directory has one that the model's
// positions can hold (HF writes huge sentinels such as 1e30 for "no limit").
std::optional<int64_t> tokenizer_max_length(const ModelDirectory& dir) {
  const std::filesystem::path path = dir.path / model_files::kTokenizerConfig;
  if (!std::filesystem::exists(path)) return std::nullopt;
  const auto json = read_json_file(path);
  if (!json.is_object() || !json.contains("model_max_length") ||
      !json["model_max_length"].is_number_integer())
    return std::nullopt;
  const auto length = json["model_max_length"].get<int64_t>();
  if (length < 2 || length > dir.config.max_position_embeddings) return std::nullopt;
  return length;
}

}  // namespace

ExportSource read_export_source(const ModelDirectory& dir, std::optional<int64_t> max_length) {
  const ModelWeights& file = dir.require_weights();
  ModelTensors weights;
  if (file.precision() == Precision::fp32) {
    // load_model takes every float checkpoint (HF names, legacy names, .bin, f16) and refuses
    // one without a classification head.
    ClassifierModel model = load_model(dir);
    weights = quantize_parameters(model.config,
                                  std::make_shared<const ParameterBuffer>(std::move(model.params)),
                                  Precision::fp32, ActivationType::u8);
  } else {
    weights = file.tensors;
  }
  const int64_t positions = dir.config.max_position_embeddings;
  int64_t length = positions;
  if (max_length)
    length = *max_length;
  else if (dir.run_max_length > 0)
    length = dir.run_max_length;
  else if (const auto from_tokenizer = tokenizer_max_length(dir))
    length = *from_tokenizer;
  if (length < 2 || length > positions)
    fail(dir.path.string(), ": max length ", length, " must be in 2..", positions,
         " (the model's positions)");
  return {dir.config, std::move(weights), dir.tokenizer, dir.thresholds, length};
}

}  // namespace greenbert
