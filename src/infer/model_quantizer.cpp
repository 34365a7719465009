#include "infer/model_quantizer.h"

#include <algorithm>

#include "core/atomic_file.h"
#include "core/error.h"
#include "infer/session.h"

namespace greenbert {

std::vector<std::string> read_calibration_texts(const std::filesystem::path& path) {
  const std::string contents = read_file(path);
  std::vector<std::string> texts;
  size_t begin = 0;
  while (begin < contents.size()) {
    size_t end = contents.find('\n', begin);
    if (end == std::string::npos) end = contents.size();
    if (end > begin) texts.emplace_back(contents, begin, end - begin);
    begin = end + 1;
  }
  if (texts.empty()) fail(path.string(), ": no calibration texts (one text per line)");
  return texts;
}

ActivationRanges calibrate(const BertConfig& config, const ParameterBuffer& params,
                           const BertTokenizer& tokenizer, const std::vector<std::string>& texts,
                           size_t max_length, int threads) {
  if (texts.empty()) fail("calibration needs at least one text");
  SessionOptions options;
  options.threads = threads;
  options.record_activation_ranges = true;
  InferenceSession session = InferenceSession::from_parameters(config, params, options);
  // Ranges are maxima over every token, so the order and grouping of the texts do not matter.
  const size_t per_batch = 16;
  TokenBatch batch;
  for (size_t begin = 0; begin < texts.size(); begin += per_batch) {
    batch.clear();
    for (size_t i = begin; i < std::min(texts.size(), begin + per_batch); ++i)
      batch.add_sequence(tokenizer.encode(texts[i], max_length).input_ids);
    session.run(batch);
  }
  return session.activation_ranges();
}

QuantizeReport quantize_model(const ModelDirectory& model, const std::filesystem::path& out_dir,
                              const QuantizeOptions& options) {
  if (options.precision == Precision::fp32) fail("quantize: the precision must be int8 or bf16");
  if (model.kind != ModelKind::encoder)
    fail(model.path.string(), ": a ", model_kind_name(model.kind),
         " model runs in fp32 only: it has no bf16 or int8 copy");
  if (std::filesystem::exists(out_dir) && std::filesystem::equivalent(model.path, out_dir))
    fail(out_dir.string(), ": the output directory must differ from the model's");
  ClassifierModel fp32 = load_model(model);
  QuantizeReport report;
  report.input_bytes = model.require_weights().bytes;

  ActivationRanges ranges;
  const bool calibrated = !options.calibration_texts.empty();
  if (calibrated) {
    if (options.precision != Precision::int8)
      fail("quantize: calibration fixes int8 activation scales; bf16 needs none");
    ranges = calibrate(fp32.config, fp32.params, fp32.tokenizer, options.calibration_texts,
                       options.max_length, options.threads);
    report.calibration_sequences = static_cast<int64_t>(options.calibration_texts.size());
    report.calibration_tokens = ranges.tokens;
  }
  auto params = std::make_shared<const ParameterBuffer>(std::move(fp32.params));
  const ModelTensors tensors = quantize_parameters(
      model.config, params, options.precision, options.activations, calibrated ? &ranges : nullptr);
  save_model(out_dir, model, &tensors);
  report.output_bytes = std::filesystem::file_size(out_dir / model_files::kWeights);
  return report;
}

}  // namespace greenbert
