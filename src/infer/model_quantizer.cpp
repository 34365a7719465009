#include "infer/model_quantizer.h"

#include <algorithm>

#include "core/atomic_file.h"
#include "core/error.h"
#include "infer/session.h"
#include "model/model_dir.h"

namespace greenbert {

namespace {

// Everything of a model directory but its weights; copied byte for byte. A training run's
// train_config.json goes too: eval and predict take the run's split, --text and --max-length
// from it, so a quantized copy is evaluated on exactly the fp32 model's test split.
constexpr const char* kModelFiles[] = {"config.json",
                                       "vocab.txt",
                                       "tokenizer.json",
                                       "tokenizer_config.json",
                                       "special_tokens_map.json",
                                       "labels.json",
                                       "thresholds.json",
                                       "train_config.json"};

}  // namespace

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

QuantizeReport quantize_model_dir(const std::filesystem::path& model_dir,
                                  const std::filesystem::path& out_dir,
                                  const QuantizeOptions& options) {
  if (options.precision == InferencePrecision::f32)
    fail("quantize: the precision must be int8 or bf16");
  if (std::filesystem::exists(out_dir) && std::filesystem::equivalent(model_dir, out_dir))
    fail(out_dir.string(), ": the output directory must differ from the model's");
  LoadModelReport load;
  ClassifierModel model = load_model(model_dir, {}, &load);
  QuantizeReport report;
  report.input_bytes = std::filesystem::file_size(load.weights);

  ActivationRanges ranges;
  const bool calibrated = !options.calibration_texts.empty();
  if (calibrated) {
    if (options.precision != InferencePrecision::int8)
      fail("quantize: calibration fixes int8 activation scales; bf16 needs none");
    ranges = calibrate(model.config, model.params, model.tokenizer, options.calibration_texts,
                       options.max_length, options.threads);
    report.calibration_sequences = static_cast<int64_t>(options.calibration_texts.size());
    report.calibration_tokens = ranges.tokens;
  }
  auto params = std::make_shared<const ParameterBuffer>(std::move(model.params));
  const PrecisionTensors tensors = quantize_parameters(
      model.config, params, options.precision, options.activations, calibrated ? &ranges : nullptr);

  std::filesystem::create_directories(out_dir);
  // Weights first: a crash in between leaves no config.json, so no half model directory loads.
  write_precision_tensors(out_dir / "model.safetensors", model.config, tensors);
  for (const char* name : kModelFiles)
    if (std::filesystem::exists(model_dir / name))
      write_file_atomically(out_dir / name, read_file(model_dir / name));
  report.output_bytes = std::filesystem::file_size(out_dir / "model.safetensors");
  return report;
}

}  // namespace greenbert
