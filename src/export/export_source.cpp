#include "export/export_source.h"

#include <memory>

#include "core/error.h"
#include "core/json_document.h"
#include "io/tensor_file.h"

namespace greenbert {
namespace {

// tokenizer_config.json's model_max_length when the directory has one that the model's
// positions can hold (HF writes huge sentinels such as 1e30 for "no limit").
std::optional<int64_t> tokenizer_max_length(const std::filesystem::path& dir,
                                            const BertConfig& config) {
  const std::filesystem::path path = dir / "tokenizer_config.json";
  if (!std::filesystem::exists(path)) return std::nullopt;
  const auto json = read_json_file(path);
  if (!json.is_object() || !json.contains("model_max_length") ||
      !json["model_max_length"].is_number_integer())
    return std::nullopt;
  const auto length = json["model_max_length"].get<int64_t>();
  if (length < 2 || length > config.max_position_embeddings) return std::nullopt;
  return length;
}

}  // namespace

ExportSource read_export_source(const std::filesystem::path& dir,
                                std::optional<int64_t> max_length) {
  ModelFiles files = load_model_files(dir);
  PrecisionTensors weights;
  if (declared_precision(TensorFile::open(files.weights)) == "f32") {
    // load_model takes every float checkpoint (HF names, legacy names, .bin, f16) and refuses
    // one without a classification head.
    ClassifierModel model = load_model(dir);
    weights = quantize_parameters(model.config,
                                  std::make_shared<const ParameterBuffer>(std::move(model.params)),
                                  InferencePrecision::f32, ActivationType::u8);
  } else {
    weights = read_precision_tensors(files.weights, files.config);
  }
  const int64_t length =
      max_length
          ? *max_length
          : tokenizer_max_length(dir, files.config).value_or(files.config.max_position_embeddings);
  if (length < 2 || length > files.config.max_position_embeddings)
    fail(dir.string(), ": max length ", length, " must be in 2..",
         files.config.max_position_embeddings, " (the model's positions)");
  return {std::move(files.config), std::move(weights), std::move(files.tokenizer),
          std::move(files.thresholds), length};
}

}  // namespace greenbert
