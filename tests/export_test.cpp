// `greenbert export` without outside runtimes: the Hugging Face directory (config keys HF's
// loaders and TEI require, tensors by HF name in fp32 and bf16, a tokenizer.json that matches HF's
// own serialization and reads back with identical ids), the ONNX graphs (ONNX's checker, IR and
// opset, inputs and outputs, standard operators only), and the marker that makes HF refuse
// greenbert's quantized directories. export_runtimes_test.cpp runs the exports in ONNX Runtime,
// transformers.js and PyTorch.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "export/hf_export.h"
#include "export/model_export.h"
#include "export/onnx_export.h"
#include "infer/model_quantizer.h"
#include "infer/session.h"
#include "infer_support.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "kernels/bf16.h"
#include "model/names.h"
#include "support.h"
#include "train_support.h"

namespace greenbert {
namespace {

using nlohmann::json;

struct Source {
  std::shared_ptr<const ParameterBuffer> params;
  ExportSource source;
};

// The synthetic vocabulary without its repeated tokens.
BertTokenizer unique_tokenizer() {
  const BertTokenizer synthetic = testing::synthetic_tokenizer();
  const Vocab& vocab = synthetic.vocab();
  std::vector<std::string> tokens;
  std::set<std::string_view> seen;
  for (int32_t id = 0; id < vocab.size(); ++id)
    if (seen.insert(vocab.token(id)).second) tokens.emplace_back(vocab.token(id));
  return BertTokenizer(Vocab::from_tokens(tokens, "test vocabulary"), NormalizerOptions{});
}

// A small random classifier (every dimension a multiple of 16).
Source small_source(ModelType type, BertTokenizer tokenizer = unique_tokenizer()) {
  BertConfig config = testing::small_config(type);
  auto params = std::make_shared<const ParameterBuffer>(testing::random_parameters(config, 5));
  ModelTensors weights = quantize_parameters(config, params, Precision::fp32, ActivationType::u8);
  return {params,
          {config, std::move(weights), std::move(tokenizer),
           Thresholds{0.4f, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, true}, 48}};
}

class ExportHf : public ::testing::TestWithParam<ModelType> {};

TEST_P(ExportHf, WritesHfNamesConfigAndTokenizerFiles) {
  const Source s = small_source(GetParam());
  const auto dir = testing::temp_dir("export-hf");
  write_hf_model(dir, s.source, Precision::fp32);

  const json config = read_json_file(dir / "config.json");
  const bool bert = GetParam() == ModelType::bert;
  EXPECT_EQ(config["architectures"][0],
            bert ? "BertForSequenceClassification" : "DistilBertForSequenceClassification");
  EXPECT_EQ(config["model_type"], bert ? "bert" : "distilbert");
  EXPECT_EQ(config["problem_type"], "multi_label_classification");
  EXPECT_EQ(config["torch_dtype"], "float32");
  // String keys in id2label, and label2id: TEI refuses a config without both.
  EXPECT_EQ(config["id2label"]["4"], "e");
  EXPECT_EQ(config["label2id"]["e"], 4);
  EXPECT_FLOAT_EQ(config["greenbert_thresholds"]["global"].get<float>(), 0.4f);
  EXPECT_TRUE(config["greenbert_thresholds"]["use_per_label"].get<bool>());
  EXPECT_FLOAT_EQ(config["greenbert_thresholds"]["per_label"]["c"].get<float>(), 0.3f);

  // Every parameter under its HF name, bit for bit, and transformers' "format": "pt".
  const TensorFile weights = TensorFile::open(dir / "model.safetensors");
  EXPECT_EQ(weights.metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
  const ParameterLayout& layout = s.params->layout();
  EXPECT_EQ(weights.tensors().size(), layout.tensors().size());
  for (const ParameterTensor& t : layout.tensors()) {
    const TensorView& view = weights.at(checkpoint_name(t.name, GetParam()));
    EXPECT_EQ(view.dtype, DType::F32);
    EXPECT_EQ(view.shape, t.shape);
    const auto values = to_float32(view);
    const auto expected = s.params->view(t);
    EXPECT_TRUE(std::equal(values.begin(), values.end(), expected.begin())) << t.name;
  }

  const json tokenizer_config = read_json_file(dir / "tokenizer_config.json");
  EXPECT_EQ(tokenizer_config["model_max_length"], 48);
  EXPECT_EQ(tokenizer_config["do_lower_case"], true);
  EXPECT_EQ(tokenizer_config["tokenizer_class"], bert ? "BertTokenizer" : "DistilBertTokenizer");
  EXPECT_EQ(read_json_file(dir / "special_tokens_map.json"), json({{"cls_token", "[CLS]"},
                                                                   {"mask_token", "[MASK]"},
                                                                   {"pad_token", "[PAD]"},
                                                                   {"sep_token", "[SEP]"},
                                                                   {"unk_token", "[UNK]"}}));
  EXPECT_EQ(read_json_file(dir / "tokenizer.json")["truncation"]["max_length"], 48);

  // greenbert reads its own export back: the same model.
  const ClassifierModel loaded = load_model(ModelDirectory::open(dir));
  EXPECT_EQ(loaded.config.labels, s.source.config.labels);
  EXPECT_EQ(
      std::memcmp(loaded.params.data(), s.params->data(), size_t(s.params->size()) * sizeof(float)),
      0);
}

TEST_P(ExportHf, Bf16IsEveryTensorRoundedToNearestEven) {
  const Source s = small_source(GetParam());
  const auto dir = testing::temp_dir("export-hf-bf16");
  write_hf_model(dir, s.source, Precision::bf16);
  EXPECT_EQ(read_json_file(dir / "config.json")["torch_dtype"], "bfloat16");
  const TensorFile weights = TensorFile::open(dir / "model.safetensors");
  for (const ParameterTensor& t : s.params->layout().tensors()) {
    const TensorView& view = weights.at(checkpoint_name(t.name, GetParam()));
    ASSERT_EQ(view.dtype, DType::BF16) << t.name;
    const auto values = to_float32(view);
    const auto expected = s.params->view(t);
    for (size_t i = 0; i < values.size(); ++i)
      ASSERT_EQ(values[i], round_to_bf16(expected[i])) << t.name << "[" << i << "]";
  }
}

INSTANTIATE_TEST_SUITE_P(Families, ExportHf,
                         ::testing::Values(ModelType::bert, ModelType::distilbert));

TEST(ExportHf, TokenizerJsonIsHfsOwnSerialization) {
  // HF's tokenizer.json for this vocabulary, as transformers wrote it.
  GREENBERT_SHARED_PATH(dir, "models/tiny-random-BertForSequenceClassification");
  const json hf = read_json_file(dir / "tokenizer.json");
  const BertTokenizer tokenizer = BertTokenizer::from_file(dir / "vocab.txt");
  const json ours = json::parse(tokenizer_json(tokenizer, 512).dump());
  for (const char* key :
       {"version", "added_tokens", "pre_tokenizer", "post_processor", "decoder", "model"})
    EXPECT_EQ(ours[key], hf[key]) << key;
  // strip_accents null means "as lowercase" in HF; we write the value it resolves to.
  json normalizer = hf["normalizer"];
  normalizer["strip_accents"] = normalizer["lowercase"];
  EXPECT_EQ(ours["normalizer"], normalizer);
  EXPECT_EQ(ours["truncation"], json({{"direction", "Right"},
                                      {"max_length", 512},
                                      {"strategy", "LongestFirst"},
                                      {"stride", 0}}));
}

// greenbert's tokenizer from the exported tokenizer.json alone (no vocab.txt, no
// tokenizer_config.json) gives the ids the original gives, for every normaliser setting.
TEST(ExportHf, TokenizerJsonReadsBackWithIdenticalIds) {
  GREENBERT_SHARED_PATH(vocab, "models/bert-base-uncased-vocab.txt");
  std::vector<std::string> texts = {
      "Hello, world! [SEP] [MASK]ed tokens stay special.",
      "Café naïve façade: ÀÉÎÕÜ, Ångström and résumé.",
      "中文字符 and 日本語 mixed with English; emoji 🙂 and ∑ math ∫ symbols.",
      "We propose a self-supervised transformer (ViT-B/16) reaching 87.3% top-1 on ImageNet.",
      "supercalifragilisticexpialidocious" + std::string(120, 'x') + " tail",
      "  leading\ttabs\nand\r\nnewlines   "};
  if (const auto csv = testing::shared_dir() / "data/arxiv_data.csv";
      std::filesystem::exists(csv)) {
    std::ifstream in(csv);
    std::string line;
    for (int i = 0; i < 200 && std::getline(in, line); ++i) texts.push_back(line);
  }
  for (const NormalizerOptions options :
       {NormalizerOptions{true, true, true}, NormalizerOptions{false, false, true},
        NormalizerOptions{true, false, false}, NormalizerOptions{false, true, true}}) {
    const BertTokenizer original(Vocab::load(vocab), options);
    BertConfig config = testing::small_config(ModelType::bert, 1);
    config.vocab_size = original.vocab().size();
    auto params = std::make_shared<const ParameterBuffer>(make_parameters(config));
    const ExportSource source{
        config,
        quantize_parameters(config, params, Precision::fp32, ActivationType::u8),
        original,
        {},
        128};
    const auto dir = testing::temp_dir("export-tokenizer-json");
    write_hf_model(dir, source, Precision::fp32);
    std::filesystem::remove(dir / "vocab.txt");
    std::filesystem::remove(dir / "tokenizer_config.json");
    const BertTokenizer read = ModelDirectory::open(dir).tokenizer;
    EXPECT_EQ(read.options().lowercase, options.lowercase);
    EXPECT_EQ(read.options().strip_accents, options.strip_accents);
    EXPECT_EQ(read.options().split_cjk, options.split_cjk);
    for (const std::string& text : texts)
      ASSERT_EQ(read.encode(text, 128).input_ids, original.encode(text, 128).input_ids) << text;
  }
}

TEST(ExportHf, ARepeatedTokenIsRefused) {
  // The synthetic vocabulary lists "paper" twice.
  const Source s = small_source(ModelType::bert, testing::synthetic_tokenizer());
  try {
    write_hf_model(testing::temp_dir("export-hf-repeat"), s.source, Precision::fp32);
    FAIL() << "a vocabulary with a repeated token became a tokenizer.json";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'paper' is listed twice"), std::string::npos) << e.what();
  }
}

TEST(ExportHf, Int8WeightsAreRefused) {
  Source s = small_source(ModelType::bert);
  s.source.weights =
      quantize_parameters(s.source.config, s.params, Precision::int8, ActivationType::u8);
  try {
    write_hf_model(testing::temp_dir("export-hf-int8"), s.source, Precision::fp32);
    FAIL() << "an int8 model became an HF checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--to onnx"), std::string::npos) << e.what();
  }
}

onnx::ModelProto read_onnx(const std::filesystem::path& path) {
  onnx::ModelProto model;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(model.ParseFromIstream(&in)) << path;
  return model;
}

struct OnnxCase {
  ModelType type;
  Precision precision;
};

class ExportOnnx : public ::testing::TestWithParam<OnnxCase> {};

TEST_P(ExportOnnx, GraphIsCheckedStandardAndDynamic) {
  const auto [type, precision] = GetParam();
  const Source s = small_source(type);
  const auto path = testing::temp_dir("export-onnx") / "model.onnx";
  write_onnx_model(path, s.source.config, s.source.weights, precision);
  EXPECT_NO_THROW(onnx::checker::check_model(path.string()));

  const onnx::ModelProto model = read_onnx(path);
  EXPECT_EQ(model.ir_version(), 8);
  ASSERT_EQ(model.opset_import_size(), 1);
  EXPECT_EQ(model.opset_import(0).domain(), "");
  EXPECT_EQ(model.opset_import(0).version(), 17);

  const onnx::GraphProto& graph = model.graph();
  std::vector<std::string> inputs;
  for (const auto& input : graph.input()) {
    inputs.push_back(input.name());
    const auto& tensor = input.type().tensor_type();
    EXPECT_EQ(tensor.elem_type(), onnx::TensorProto::INT64);
    ASSERT_EQ(tensor.shape().dim_size(), 2);
    EXPECT_EQ(tensor.shape().dim(0).dim_param(), "batch");
    EXPECT_EQ(tensor.shape().dim(1).dim_param(), "sequence");
  }
  std::vector<std::string> expected_inputs = {"input_ids", "attention_mask"};
  if (type == ModelType::bert) expected_inputs.push_back("token_type_ids");
  EXPECT_EQ(inputs, expected_inputs);
  ASSERT_EQ(graph.output_size(), 1);
  EXPECT_EQ(graph.output(0).name(), "logits");
  const auto& logits = graph.output(0).type().tensor_type();
  EXPECT_EQ(logits.elem_type(), onnx::TensorProto::FLOAT);
  EXPECT_EQ(logits.shape().dim(0).dim_param(), "batch");
  EXPECT_EQ(logits.shape().dim(1).dim_value(), 5);

  std::map<std::string, int> ops;
  for (const auto& node : graph.node()) {
    EXPECT_EQ(node.domain(), "") << node.name();  // standard operators only
    ++ops[node.op_type()];
  }
  const int64_t layers = s.source.config.num_layers;
  EXPECT_EQ(ops["LayerNormalization"], 1 + 2 * layers);
  EXPECT_EQ(ops["Erf"], layers);
  EXPECT_EQ(ops["Softmax"], layers);
  if (precision == Precision::int8) {
    // One DynamicQuantizeLinear per distinct Linear input: Q, K and V share theirs.
    EXPECT_EQ(ops["DynamicQuantizeLinear"], 4 * layers);
    EXPECT_EQ(ops["MatMulInteger"], 6 * layers);
    EXPECT_EQ(ops["MatMul"], 2 * layers);  // attention's QKᵀ and P·V only
  } else {
    EXPECT_EQ(ops.count("MatMulInteger"), 0u);
    EXPECT_EQ(ops["MatMul"], 8 * layers);
  }
  // Shape inference ran: the logits' shape is known at the last node.
  bool inferred = false;
  for (const auto& value : graph.value_info()) inferred |= value.name().ends_with("_output_0");
  EXPECT_TRUE(inferred);
}

INSTANTIATE_TEST_SUITE_P(FamiliesAndPrecisions, ExportOnnx,
                         ::testing::Values(OnnxCase{ModelType::bert, Precision::fp32},
                                           OnnxCase{ModelType::bert, Precision::int8},
                                           OnnxCase{ModelType::distilbert, Precision::fp32},
                                           OnnxCase{ModelType::distilbert, Precision::int8}));

TEST(ExportOnnx, Int8GraphUsesTheQuantizedModelsOwnWeights) {
  const Source s = small_source(ModelType::bert);
  const ModelTensors int8 =
      quantize_parameters(s.source.config, s.params, Precision::int8, ActivationType::u8);
  const auto dir = testing::temp_dir("export-onnx-int8");
  write_onnx_model(dir / "from_int8.onnx", s.source.config, int8, Precision::int8);
  write_onnx_model(dir / "from_fp32.onnx", s.source.config, s.source.weights, Precision::int8);
  // Quantized here or by `greenbert quantize`, the weights are the same per-channel int8.
  EXPECT_EQ(read_file(dir / "from_int8.onnx"), read_file(dir / "from_fp32.onnx"));
  EXPECT_THROW(write_onnx_model(dir / "fp32.onnx", s.source.config, int8, Precision::fp32), Error);
}

// `greenbert export` on a trained run: what it writes where, and the run's own max length.
TEST(ExportCli, RunDirectoryToHfAndOnnx) {
  const auto dir = testing::temp_dir("export-cli");
  const auto data = testing::write_synthetic_csv(dir / "data.csv", 200, 3);
  const auto config = testing::write_tiny_config(dir / "tiny.json");
  const auto run = dir / "run";
  const auto trained = testing::run_cli(
      cat("train --data ", data.string(), " --split-ratios 0.8,0.1,0.1 --config ", config.string(),
          " --vocab-size 120 --epochs 1 --batch-size 8 --max-length 40 --threads 1 --out ",
          run.string()));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;

  const auto hf = testing::run_cli(
      cat("export --model ", run.string(), " --to hf --out ", (dir / "hf").string()));
  ASSERT_EQ(hf.exit_code, 0) << hf.err;
  EXPECT_NE(hf.out.find("max length 40"), std::string::npos) << hf.out;
  for (const char* file :
       {"config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
        "special_tokens_map.json", "onnx/model.onnx", "onnx/model_quantized.onnx"})
    EXPECT_TRUE(std::filesystem::exists(dir / "hf" / file)) << file;
  EXPECT_EQ(read_json_file(dir / "hf/tokenizer_config.json")["model_max_length"], 40);

  // A quantized directory: its ONNX is int8, and it is no HF checkpoint.
  const auto quantized = testing::run_cli(
      cat("quantize --model ", run.string(), " --precision int8 --out ", (dir / "int8").string()));
  ASSERT_EQ(quantized.exit_code, 0) << quantized.err;
  const auto onnx = testing::run_cli(cat("export --model ", (dir / "int8").string(),
                                         " --to onnx --out ", (dir / "onnx").string()));
  ASSERT_EQ(onnx.exit_code, 0) << onnx.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "onnx/model_quantized.onnx"));
  const auto refused = testing::run_cli(cat("export --model ", (dir / "int8").string(),
                                            " --to hf --out ", (dir / "hf-int8").string()));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("int8"), std::string::npos) << refused.err;
}

// transformers refuses a safetensors file whose "format" is not one of its frameworks'; a
// quantized directory must never pass for an HF checkpoint (int8 codes read as weights).
TEST(ExportQuantizedDir, HfLoadersRefuseItAndGreenbertStillReadsOldOnes) {
  const auto dir = testing::temp_dir("export-quantized-format");
  ClassifierModel model =
      new_model(testing::small_config(ModelType::bert), testing::synthetic_tokenizer(), 3);
  save_model(dir / "fp32", model);
  // An fp32 directory is an HF checkpoint.
  EXPECT_EQ(TensorFile::open(dir / "fp32" / model_files::kWeights).metadata().at("format"), "pt");
  const ModelDirectory fp32 = ModelDirectory::open(dir / "fp32");
  for (const char* precision : {"int8", "bf16"}) {
    QuantizeOptions options;
    options.precision = parse_precision(precision);
    const auto out = dir / precision;
    quantize_model(fp32, out, options);
    const TensorFile file = TensorFile::open(out / "model.safetensors");
    const std::set<std::string> hf_formats = {"pt", "tf", "flax", "mlx"};
    EXPECT_FALSE(hf_formats.contains(file.metadata().at("format"))) << precision;

    // Directories written before the marker said "pt": they still open.
    std::vector<NamedTensor> tensors(file.tensors().begin(), file.tensors().end());
    auto metadata = file.metadata();
    metadata["format"] = "pt";
    write_safetensors(dir / "old.safetensors", tensors, metadata);
    std::filesystem::rename(dir / "old.safetensors", out / "model.safetensors");
    EXPECT_NO_THROW(InferenceSession::open(ModelDirectory::open(out), {})) << precision;
  }
}

}  // namespace
}  // namespace greenbert
