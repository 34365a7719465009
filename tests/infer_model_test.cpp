// Quantized model directories and the session behind eval/predict/bench: the shared HF
// checkpoint against its float64 golden logits, `quantize` round trips (a directory loads to
// exactly the session quantized in memory), static calibration, sizes, corrupt files, the CLI,
// and `bench` writing the study's schema.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/openmp_env.h"
#include "infer/classifier.h"
#include "infer/model_quantizer.h"
#include "infer/session.h"
#include "infer_support.h"
#include "io/safetensors.h"
#include "json_values.h"
#include "numeric.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;
using testing::all_close;

using testing::flatten;

BertTokenizer small_tokenizer() {
  std::vector<std::string> tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "words", "of",
                                  "paper", "two",   "lines", "here",  ",",      "."};
  for (int i = 0; i < 60; ++i) tokens.push_back(std::to_string(i));
  return BertTokenizer(Vocab::from_tokens(tokens, "test vocab"), NormalizerOptions{});
}

// A random model directory of small_config (its vocabulary covers the CSV below).
std::filesystem::path small_model_dir(const std::string& name, ModelType type) {
  const auto dir = testing::temp_dir(name);
  BertConfig config = testing::small_config(type, 2);
  ClassifierModel model{config, testing::random_parameters(config, 31), small_tokenizer(), {}};
  save_model(dir, model);
  return dir;
}

std::vector<std::string> texts() {
  std::vector<std::string> out;
  for (int i = 0; i < 30; ++i)
    out.push_back(cat("Words of paper ", i, ", two lines here. ", i % 7, " ", (i * 13) % 60));
  return out;
}

std::vector<Encoding> encodings(const BertTokenizer& tokenizer) {
  std::vector<Encoding> out;
  for (const auto& text : texts()) out.push_back(tokenizer.encode(text, 150));
  return out;
}

TEST(InferModel, Fp32SessionMatchesTheSharedGoldenLogits) {
  GREENBERT_SHARED_PATH(dir, "models/tiny-bert-safetensors");
  const json golden = json::parse(read_file(dir / "golden.json"));
  const TokenBatch batch = testing::golden_batch(golden);
  for (int threads : {1, 2}) {
    SessionOptions options;
    options.threads = threads;
    InferenceSession session = InferenceSession::open(ModelDirectory::open(dir), options);
    // The fixture's README: a float32 implementation should match to about 1e-5 absolute.
    EXPECT_TRUE(all_close(session.run(batch), flatten(golden["logits"]), 0, 1e-5));
  }
}

class QuantizedDir : public ::testing::TestWithParam<ModelType> {};

TEST_P(QuantizedDir, LoadsToTheSessionQuantizedInMemory) {
  const auto source =
      small_model_dir(cat("infer-source-", model_type_name(GetParam())), GetParam());
  const ClassifierModel model = load_model(ModelDirectory::open(source));
  TokenBatch batch;
  for (const Encoding& e : encodings(model.tokenizer))
    batch.add_sequence(e.input_ids, e.token_type_ids);
  const auto expected = testing::reference_logits(model.config, model.params, batch);
  // greenbert's own fp32 file is packed straight from its mapping: the same weights.
  EXPECT_EQ(InferenceSession::open(ModelDirectory::open(source), {}).run(batch),
            InferenceSession::from_parameters(model.config, model.params, {}).run(batch));
  for (Precision precision : {Precision::int8, Precision::bf16}) {
    const auto out = testing::temp_dir(
        cat("infer-q-", model_type_name(GetParam()), "-", precision_name(precision)));
    QuantizeOptions options;
    options.precision = precision;
    quantize_model(ModelDirectory::open(source), out, options);
    for (const char* file : {"config.json", "vocab.txt", "labels.json", "thresholds.json"})
      EXPECT_EQ(read_file(out / file), read_file(source / file)) << file;
    const TensorFile weights = TensorFile::open(out / "model.safetensors");
    EXPECT_EQ(weights.metadata().at("greenbert_precision"), precision_name(precision));
    EXPECT_EQ(weights.metadata().at("greenbert_version"), "2");

    SessionOptions session_options;
    session_options.precision = precision;
    InferenceSession from_dir = InferenceSession::open(ModelDirectory::open(out), {});
    EXPECT_EQ(from_dir.precision(), precision);
    InferenceSession in_memory =
        InferenceSession::from_parameters(model.config, model.params, session_options);
    const auto logits = from_dir.run(batch);
    EXPECT_EQ(logits, in_memory.run(batch));  // bit-exact: the same weights, the same code
    // Within 6% of the largest logit (infer_session_test states the tolerances per precision).
    double scale = 0;
    for (float v : expected) scale = std::max(scale, double(std::abs(v)));
    EXPECT_TRUE(all_close(logits, expected, 0, 0.06 * scale)) << precision_name(precision);

    // Only the inference session reads it; asking it for another precision is an error.
    EXPECT_THROW(load_model(ModelDirectory::open(out)), Error);
    session_options.precision = Precision::fp32;
    EXPECT_THROW(InferenceSession::open(ModelDirectory::open(out), session_options), Error);
  }
}

INSTANTIATE_TEST_SUITE_P(Families, QuantizedDir,
                         ::testing::Values(ModelType::bert, ModelType::distilbert),
                         [](const auto& info) { return std::string(model_type_name(info.param)); });

TEST(InferModel, QuantizedFilesAreAboutFourAndTwoTimesSmaller) {
  // bert-tiny's shape, where the word embeddings dominate as in every BERT.
  const auto source = testing::temp_dir("infer-size-source");
  BertConfig config = preset_config("bert-tiny");
  ClassifierModel model = new_model(config, small_tokenizer(), 3);
  save_model(source, model);
  const double fp32 = double(std::filesystem::file_size(source / "model.safetensors"));
  for (auto [precision, ratio] :
       {std::pair{Precision::int8, 3.5}, std::pair{Precision::bf16, 1.9}}) {
    QuantizeOptions options;
    options.precision = precision;
    const auto out = testing::temp_dir(cat("infer-size-", precision_name(precision)));
    const QuantizeReport report = quantize_model(ModelDirectory::open(source), out, options);
    EXPECT_EQ(report.input_bytes, uint64_t(fp32));
    EXPECT_GT(fp32 / double(report.output_bytes), ratio) << precision_name(precision);
  }
}

TEST(InferModel, StaticCalibrationFixesActivationScales) {
  const auto source = small_model_dir("infer-calibration-source", ModelType::bert);
  const ClassifierModel model = load_model(ModelDirectory::open(source));
  const ActivationRanges ranges =
      calibrate(model.config, model.params, model.tokenizer, texts(), 150, 2);
  ASSERT_EQ(ranges.ranges.size(), size_t(model.config.num_layers));
  EXPECT_GT(ranges.tokens, 30);
  for (const auto& layer : ranges.ranges)
    for (const auto& range : layer) {
      EXPECT_LT(range[0], 0.0f);
      EXPECT_GT(range[1], 0.0f);
    }
  QuantizeOptions options;
  options.calibration_texts = texts();
  const auto out = testing::temp_dir("infer-calibration-int8");
  quantize_model(ModelDirectory::open(source), out, options);
  InferenceSession session = InferenceSession::open(ModelDirectory::open(out), {});
  EXPECT_TRUE(session.static_activations());
  TokenBatch batch;
  for (const Encoding& e : encodings(model.tokenizer))
    batch.add_sequence(e.input_ids, e.token_type_ids);
  const auto expected = testing::reference_logits(model.config, model.params, batch);
  double scale = 0;
  for (float v : expected) scale = std::max(scale, double(std::abs(v)));
  EXPECT_TRUE(all_close(session.run(batch), expected, 0,
                        0.08 * scale * testing::int8_activation_step_factor()));
}

// A valid int8 file's tensors with one change, written under checkpoint names.
void write_modified(const std::filesystem::path& dir,
                    const std::function<void(ModelTensors&)>& change,
                    std::map<std::string, std::string> metadata = {}) {
  const ClassifierModel model =
      load_model(ModelDirectory::open(small_model_dir("infer-corrupt-source", ModelType::bert)));
  ModelTensors tensors =
      quantize_parameters(model.config, std::make_shared<const ParameterBuffer>(model.params),
                          Precision::int8, ActivationType::u8);
  change(tensors);
  std::vector<NamedTensor> named;
  for (const auto& [name, view] : tensors.tensors) named.push_back({name, view});
  if (metadata.empty())
    metadata = {{"greenbert_precision", "int8"},
                {"greenbert_activation_type", "u8"},
                {"greenbert_activation_scales", "dynamic"}};
  write_safetensors(dir / "model.safetensors", named, metadata);
  save_model(dir, ModelDescription{ModelKind::encoder, model.config, model.tokenizer, {}, nullptr},
             nullptr);
}

std::string open_error(const std::filesystem::path& dir) {
  try {
    InferenceSession::open(ModelDirectory::open(dir), {});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(InferModel, CorruptQuantizedFilesAreRejectedByName) {
  const auto dir = testing::temp_dir("infer-corrupt");
  const std::string q = "bert.encoder.layer.1.attention.self.query.weight";
  write_modified(dir, [&](ModelTensors& t) { t.tensors.erase(q + "_scale"); });
  EXPECT_NE(open_error(dir).find("tensor " + q + "_scale is missing"), std::string::npos)
      << open_error(dir);

  std::vector<float> floats(64 * 64);
  write_modified(dir, [&](ModelTensors& t) {
    t.tensors[q] = {DType::F32, {64, 64}, std::as_bytes(std::span<const float>(floats))};
  });
  EXPECT_NE(open_error(dir).find(q + ": dtype F32, expected I8"), std::string::npos)
      << open_error(dir);

  const std::vector<float> scales(95, 1.0f);
  write_modified(dir, [&](ModelTensors& t) {
    t.tensors["bert.encoder.layer.0.output.dense.weight_scale"] = {
        DType::F32, {95}, std::as_bytes(std::span<const float>(scales))};
  });
  EXPECT_NE(open_error(dir).find("weight_scale: "), std::string::npos) << open_error(dir);

  write_modified(dir, [&](ModelTensors& t) { t.tensors["extra.weight"] = t.tensors.at(q); });
  EXPECT_NE(open_error(dir).find("extra.weight"), std::string::npos) << open_error(dir);

  write_modified(dir, [](ModelTensors&) {}, {{"greenbert_precision", "int4"}});
  EXPECT_NE(open_error(dir).find("greenbert_precision is 'int4'"), std::string::npos)
      << open_error(dir);

  write_modified(dir, [](ModelTensors&) {}, {{"greenbert_precision", "int8"}});
  EXPECT_NE(open_error(dir).find("without greenbert_activation_type"), std::string::npos)
      << open_error(dir);
}

// eval and predict run quantized directories through open_classifier and predict_logits, which
// batches by length: results come back in input order, as each text alone would give them.
TEST(InferModel, ClassifierKeepsInputOrderAcrossLengthBatches) {
  const auto dir = small_model_dir("infer-predict", ModelType::distilbert);
  const Classifier classifier =
      open_classifier(ModelDirectory::open(dir), {7, 0, Precision::int8, 2});
  EXPECT_EQ(classifier.precision, Precision::int8);
  std::vector<Example> examples;
  for (const auto& text : texts()) examples.push_back({"", text, {}, {}});
  const EncodedExamples data =
      encode_examples(classifier.tokenizer, examples, TextInput::abstract, 150);
  const int64_t labels = classifier.config.num_labels();
  const auto batched = predict_logits(classifier.logits, labels, 7, data);
  std::vector<float> alone(static_cast<size_t>(labels));
  for (int64_t i = 0; i < data.size(); ++i) {
    TokenBatch one;
    fill_batch(data, std::vector<int64_t>{i}, one);
    classifier.logits(one, alone);
    for (int64_t l = 0; l < labels; ++l)
      EXPECT_NEAR(batched[static_cast<size_t>(i * labels + l)], alone[static_cast<size_t>(l)],
                  1e-5);
  }
}

// encode_inputs tokenizes each text once and leaves out, naming them, only the inputs whose
// abstract has no tokens: a title does not count, and an abstract that truncation cuts to nothing
// is not empty.
TEST(InferModel, EncodeInputsLeavesOutOnlyAbstractsWithoutTokens) {
  const BertTokenizer tokenizer = small_tokenizer();
  const BertConfig config = testing::small_config(ModelType::bert, 2);
  std::vector<PredictInput> inputs(3);
  for (size_t i = 0; i < inputs.size(); ++i) inputs[i].where = cat("in:", i + 1);
  inputs[0].text = {"two words", "paper of lines", {}, {}};
  inputs[1].text = {"two words", " \u3000 ", {}, {}};
  const EncodedInputs pairs =
      encode_inputs(inputs, tokenizer, config, TextInput::title_and_abstract, 3);
  ASSERT_EQ(pairs.problems.size(), 3u);
  EXPECT_EQ(pairs.problems[0], "");  // [CLS] [SEP] [SEP]: no room for any of its tokens
  EXPECT_EQ(pairs.problems[1],
            "in:2: the text is empty (no tokens: only spaces, invisible or control characters)");
  EXPECT_NE(pairs.problems[2].find("in:3: the text is empty"), std::string::npos);
  ASSERT_EQ(pairs.encoded.size(), 1);
  EXPECT_EQ(pairs.encoded.length(0), 3);

  const EncodedInputs abstracts = encode_inputs(inputs, tokenizer, config, TextInput::abstract, 16);
  ASSERT_EQ(abstracts.encoded.size(), 1);
  const auto ids = abstracts.encoded.example_ids(0);
  EXPECT_EQ(std::vector<int32_t>(ids.begin(), ids.end()),
            tokenizer.encode(inputs[0].text.abstract, 16).input_ids);
  EXPECT_NE(abstracts.problems[1], "");
}

TEST(InferCli, QuantizeWritesADirectoryAndAnEmissionsRow) {
  const auto source = small_model_dir("infer-cli-source", ModelType::bert);
  const auto out = testing::temp_dir("infer-cli-int8");
  const auto calibration = out.parent_path() / "infer-cli-calibration.txt";
  std::string lines;
  for (const auto& text : texts()) lines += text + "\n";
  write_file_atomically(calibration, lines);
  const auto result =
      testing::run_cli(cat("quantize --model ", source, " --out ", out, " --precision int8",
                           " --calibration ", calibration, " --cpu-power 10 --threads 2"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("static scales from 30 texts"), std::string::npos) << result.out;
  const std::string emissions = read_file(out / "emissions.csv");
  EXPECT_NE(emissions.find("quantize-int8"), std::string::npos) << emissions;
  EXPECT_TRUE(InferenceSession::open(ModelDirectory::open(out), {}).static_activations());

  const auto again = testing::run_cli(cat("quantize --model ", out, " --out ", out / "x"));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("quantized model"), std::string::npos) << again.err;
}

TEST(InferCli, BenchWritesTheStudySchemaPerConfiguration) {
  const auto dir = testing::temp_dir("infer-bench");
  const auto model = small_model_dir("infer-bench-model", ModelType::bert);
  std::string csv = "titles,summaries,terms\n";
  for (int i = 0; i < 60; ++i)
    csv += cat("Paper ", i, ",\"", texts()[size_t(i % 30)], " ", i, "\",\"",
               i % 2 ? "['cs.CL']" : "['cs.LG', 'stat.ML']", "\"\n");
  write_file_atomically(dir / "data.csv", csv);
  const auto result = testing::run_cli(cat(
      "bench --model ", model, " --data ", dir / "data.csv", " --precisions fp32,int8",
      " --batch-sizes 1,2 --abstracts 3 --repeats 2 --cpu-power 10 --out ", dir / "bench.json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json records = json::parse(read_file(dir / "bench.json"));
  ASSERT_EQ(records.size(), 2u);
  for (const json& r : records) {
    for (const char* key : {"model_name", "precision", "quantized", "batch_sizes", "model_size_mb",
                            "parameters", "threads", "hardware", "max_length", "abstracts", "cpp"})
      EXPECT_TRUE(r.contains(key)) << key;
    EXPECT_EQ(r["quantized"], r["precision"] != "fp32");
    ASSERT_EQ(r["cpp"].size(), 2u);
    for (const json& e : r["cpp"]) {
      for (const char* key : {"batch_size", "inference_time", "min", "max", "emissions",
                              "memory_usage_mb", "throughput_seq_per_s", "latency_ms",
                              "energy_per_1000_j", "gemm_gops", "energy_method"})
        EXPECT_TRUE(e.contains(key)) << key;
      EXPECT_LE(e["min"].get<double>(), e["inference_time"].get<double>());
      EXPECT_GT(e["memory_usage_mb"].get<double>(), 1.0);
      EXPECT_EQ(e["energy_method"], "estimated");  // --cpu-power forces the estimate
    }
  }
  EXPECT_NE(read_file(dir / "emissions.csv").find("bench-int8-b2"), std::string::npos);
  EXPECT_NE(result.out.find("infer-bench-model"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace greenbert

namespace greenbert {
namespace {

TEST(InferCli, IdleOpenMpThreadsSleepUnlessTheUserChoseOtherwise) {
  const auto by_default = testing::run_cli("info");
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  if (std::getenv("OMP_WAIT_POLICY") == nullptr && std::getenv("GOMP_SPINCOUNT") == nullptr) {
    EXPECT_NE(by_default.out.find(std::string("GOMP_SPINCOUNT=") + kDefaultSpinCount),
              std::string::npos)
        << by_default.out;
  }
  // A choice of the user's is kept (the CLI inherits this process's environment).
  const char* saved = std::getenv("OMP_WAIT_POLICY");
  const std::string previous = saved ? saved : "";
  setenv("OMP_WAIT_POLICY", "active", 1);
  const auto chosen = testing::run_cli("info");
  if (saved != nullptr)
    setenv("OMP_WAIT_POLICY", previous.c_str(), 1);
  else
    unsetenv("OMP_WAIT_POLICY");
  ASSERT_EQ(chosen.exit_code, 0) << chosen.err;
  EXPECT_NE(chosen.out.find("OMP_WAIT_POLICY=active"), std::string::npos) << chosen.out;
  EXPECT_EQ(chosen.out.find(std::string("GOMP_SPINCOUNT=") + kDefaultSpinCount), std::string::npos)
      << chosen.out;
}

}  // namespace
}  // namespace greenbert
