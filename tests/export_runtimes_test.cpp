// Models trained here exported with `greenbert export --to hf`, then run by the runtimes users
// have, on real abstracts the model never saw. The models: BERT and DistilBERT from scratch (one
// short epoch: they barely leave the label prior, so their logits hardly depend on the text),
// checkpoints of both families with large random weights exported as they are (logits of several
// units that depend on every token: the numerical checks that bite), and the shared HF
// checkpoint fine-tuned with --init. The checks:
//   ONNX Runtime (onnxruntime-node): fp32 logits within 1e-4 of greenbert's at batch sizes 1, 3
//     and 16 (padded to the longest); int8 the same predicted label sets as greenbert's int8 on
//     at least 99 % of 256 abstracts;
//   transformers.js (its text-classification pipeline, offline, on onnxruntime-node): the
//     exported tokenizer.json, config and ONNX model give every label's score (sigmoid) within
//     1e-4 of greenbert's, on raw texts longer than the trained length included;
//   PyTorch (scripts/torch_bert.py, HF's math): model.safetensors by HF names, logits within 1e-4.
// The npm packages come from scripts/baselines/setup.sh and PyTorch from python3-torch
// (scripts/install-deps.sh); a test skips visibly without them and fails under CI=true.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "data/label_map.h"
#include "data/paper_reader.h"
#include "infer/session.h"
#include "infer_support.h"
#include "model/batch.h"
#include "model/model_directory.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;

const std::filesystem::path kBaselines = testing::source_dir() / "scripts" / "baselines";

bool command_succeeds(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

bool have_node_packages() {
  return command_succeeds("node --version") &&
         std::filesystem::exists(kBaselines / "node_modules/onnxruntime-node") &&
         std::filesystem::exists(kBaselines / "node_modules/@huggingface/transformers");
}

bool have_torch() {
  return command_succeeds("/usr/bin/python3 -c 'import torch'");
}

#define GREENBERT_REQUIRE_TOOL(available, what)                                                   \
  if (!(available)) {                                                                             \
    if (::greenbert::testing::running_in_ci()) FAIL() << "CI=true but " << what << " is missing"; \
    GTEST_SKIP() << what << " is missing (scripts/baselines/setup.sh)";                           \
  }

// Runs a script; a failure throws with its stderr.
void run_script(const std::string& command) {
  const auto log = testing::temp_dir("export-runtime-log") / "stderr";
  if (std::system((command + " 2>" + log.string()).c_str()) != 0)
    fail(command, " failed:\n", read_file(log));
}

// `count` papers of the data the trained models never saw (those after the first 3000).
std::vector<Paper> unseen_papers(const std::filesystem::path& csv, size_t count) {
  ReadOptions options;
  options.max_rows = 3000 + int64_t(count);
  std::vector<Paper> papers = read_papers(csv, options);
  papers.erase(papers.begin(), papers.begin() + std::min<size_t>(3000, papers.size()));
  return papers;
}

// The ids transformers.js 4.3 feeds for `text`: it truncates AFTER adding [CLS] and [SEP], so a
// text longer than max_length loses its [SEP] (HF's Python and Rust tokenizers, and greenbert,
// cut the text and keep [SEP]). Its scores are compared with greenbert's on those ids.
std::vector<int32_t> transformers_js_ids(const BertTokenizer& tokenizer, const std::string& text,
                                         size_t max_length) {
  std::vector<int32_t> ids = tokenizer.encode(text, 1 << 20).input_ids;
  if (ids.size() > max_length) ids.resize(max_length);
  return ids;
}

// HF model inputs for consecutive sequences in batches of the given sizes, each padded to its
// longest; and the packed batches greenbert runs.
struct Batches {
  json onnx_inputs = {{"batches", json::array()}};
  std::vector<TokenBatch> packed;
};

Batches make_batches(const std::vector<std::vector<int32_t>>& sequences,
                     const std::vector<size_t>& sizes) {
  Batches b;
  size_t next = 0;
  for (size_t size : sizes) {
    size_t width = 0;
    for (size_t i = next; i < next + size; ++i) width = std::max(width, sequences.at(i).size());
    json ids = json::array(), mask = json::array(), types = json::array();
    TokenBatch packed;
    for (size_t i = next; i < next + size; ++i) {
      std::vector<int32_t> row = sequences[i], ones(row.size(), 1);
      packed.add_sequence(row);
      row.resize(width, 0);
      ones.resize(width, 0);
      ids.push_back(row);
      mask.push_back(ones);
      types.push_back(std::vector<int32_t>(width, 0));
    }
    b.onnx_inputs["batches"].push_back(
        {{"input_ids", ids}, {"attention_mask", mask}, {"token_type_ids", types}});
    b.packed.push_back(std::move(packed));
    next += size;
  }
  return b;
}

// Largest |a - b| between greenbert's logits and a runtime's ({"logits": [batch][row][label]}).
double max_difference(const std::vector<std::vector<float>>& ours, const json& theirs) {
  double worst = 0;
  size_t batch = 0;
  for (const auto& rows : theirs["logits"]) {
    const std::vector<float>& expected = ours.at(batch++);
    size_t i = 0;
    for (const auto& row : rows)
      for (const auto& value : row)
        worst = std::max(worst, std::abs(value.get<double>() - expected.at(i++)));
    EXPECT_EQ(i, expected.size());
  }
  EXPECT_EQ(batch, ours.size());
  return worst;
}

std::vector<std::vector<float>> greenbert_logits(InferenceSession& session,
                                                 const std::vector<TokenBatch>& batches) {
  std::vector<std::vector<float>> logits;
  for (const TokenBatch& batch : batches) logits.push_back(session.run(batch));
  return logits;
}

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

// The predicted label set of each row of `logits` (labels columns) at `thresholds`.
std::vector<std::vector<bool>> label_sets(std::span<const float> logits, int64_t labels,
                                          std::span<const float> thresholds) {
  std::vector<std::vector<bool>> sets;
  for (size_t r = 0; r * size_t(labels) < logits.size(); ++r) {
    std::vector<bool> set;
    for (int64_t l = 0; l < labels; ++l)
      set.push_back(sigmoid(logits[r * size_t(labels) + size_t(l)]) >=
                    thresholds[thresholds.size() == 1 ? 0 : size_t(l)]);
    sets.push_back(set);
  }
  return sets;
}

// The first 500 papers of the shared data (training on more only slows the test), split
// (labels.json names the task's labels).
std::filesystem::path split_data(const std::filesystem::path& csv,
                                 const std::filesystem::path& dir) {
  const auto split = testing::run_cli(
      cat("data split --data ", csv.string(), " --max-rows 500 --out ", (dir / "split").string()));
  if (split.exit_code != 0) fail("data split failed: ", split.err);
  return dir / "split";
}

// Exports `model` (a model directory) with `greenbert export --to hf [--max-length N]` into
// `dir`/hf and checks the export in every runtime against greenbert's own inference of `model`.
// `trained`: the model was trained enough for its label sets to be stable.
void check_runtimes(const std::filesystem::path& dir, const std::filesystem::path& model,
                    const std::string& export_options, bool trained) {
  GREENBERT_SHARED_PATH(csv, "data/arxiv_data.csv");
  const bool torch = have_torch();
  if (!torch && testing::running_in_ci()) FAIL() << "CI=true but python3-torch is missing";
  const auto hf = dir / "hf";
  const auto exported = testing::run_cli(
      cat("export --model ", model.string(), " --to hf --out ", hf.string(), " ", export_options));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;

  const ModelDirectory opened = ModelDirectory::open(model);
  const int64_t max_length = read_json_file(hf / "tokenizer_config.json")["model_max_length"];
  const std::vector<Paper> papers = unseen_papers(csv, 256);
  std::vector<std::string> texts;
  for (const Paper& paper : papers) texts.push_back(paper.abstract);
  ASSERT_EQ(texts.size(), 256u);
  std::vector<std::vector<int32_t>> sequences;
  for (const std::string& text : texts)
    sequences.push_back(opened.tokenizer.encode(text, size_t(max_length)).input_ids);

  SessionOptions options;
  options.threads = 1;
  InferenceSession fp32 = InferenceSession::open(opened, options);

  // ONNX Runtime and PyTorch, fp32, batches of 1, 3 and 16 padded to their longest.
  const Batches batches = make_batches(sequences, {1, 3, 16});
  const auto ours = greenbert_logits(fp32, batches.packed);
  write_file_atomically(dir / "inputs.json", batches.onnx_inputs.dump());
  run_script(cat("node ", (kBaselines / "ort_logits.mjs").string(), " --model ",
                 (hf / "onnx/model.onnx").string(), " --inputs ", (dir / "inputs.json").string(),
                 " --out ", (dir / "ort.json").string()));
  const double ort = max_difference(ours, read_json_file(dir / "ort.json"));
  EXPECT_LE(ort, 1e-4);
  std::printf("[ onnxruntime fp32 ] max |logit difference| %.2e\n", ort);
  if (torch) {
    run_script(cat("/usr/bin/python3 ", (kBaselines / "torch_logits.py").string(), " --model ",
                   hf.string(), " --inputs ", (dir / "inputs.json").string(), " --out ",
                   (dir / "torch.json").string()));
    const double difference = max_difference(ours, read_json_file(dir / "torch.json"));
    EXPECT_LE(difference, 1e-4);
    std::printf("[ pytorch fp32     ] max |logit difference| %.2e\n", difference);
  } else {
    std::printf("[ pytorch fp32     ] skipped: no python3-torch\n");
  }

  // ONNX Runtime int8: as close to the fp32 model as greenbert's own int8 (mean |logit error|;
  // ONNX's activation scales are per tensor, greenbert's per token); on a trained model, the same
  // predicted label sets as greenbert's int8 on at least 99 % of the abstracts. (A random-weight
  // model's label sets sit on its thresholds: there even greenbert's int8 changes a fifth of
  // them, so only the logit error is checked.)
  const Batches all = make_batches(sequences, std::vector<size_t>(16, 16));
  write_file_atomically(dir / "all.json", all.onnx_inputs.dump());
  run_script(cat("node ", (kBaselines / "ort_logits.mjs").string(), " --model ",
                 (hf / "onnx/model_quantized.onnx").string(), " --inputs ",
                 (dir / "all.json").string(), " --out ", (dir / "ort_int8.json").string()));
  options.precision = Precision::int8;
  InferenceSession int8 = InferenceSession::open(opened, options);
  std::vector<float> ours_int8, ours_fp32, theirs_int8;
  for (const TokenBatch& batch : all.packed) {
    for (float v : int8.run(batch)) ours_int8.push_back(v);
    for (float v : fp32.run(batch)) ours_fp32.push_back(v);
  }
  const json ort_int8 = read_json_file(dir / "ort_int8.json");
  for (const auto& rows : ort_int8["logits"])
    for (const auto& row : rows)
      for (const auto& v : row) theirs_int8.push_back(v.get<float>());
  ASSERT_EQ(theirs_int8.size(), ours_fp32.size());
  double ort_error = 0, own_error = 0;
  for (size_t i = 0; i < ours_fp32.size(); ++i) {
    ort_error += std::abs(theirs_int8[i] - ours_fp32[i]) / double(ours_fp32.size());
    own_error += std::abs(ours_int8[i] - ours_fp32[i]) / double(ours_fp32.size());
  }
  const int64_t labels = opened.config.num_labels();
  const auto thresholds = opened.thresholds.effective();
  const auto ort_sets = label_sets(theirs_int8, labels, thresholds);
  const auto int8_sets = label_sets(ours_int8, labels, thresholds);
  size_t same = 0;
  for (size_t i = 0; i < ort_sets.size(); ++i) same += ort_sets[i] == int8_sets[i];
  std::printf(
      "[ onnxruntime int8 ] mean |logit - fp32 logit| %.2e (greenbert int8: %.2e); same label "
      "sets as greenbert int8 on %zu / %zu abstracts\n",
      ort_error, own_error, same, texts.size());
  EXPECT_LE(ort_error, 1.5 * own_error + 1e-3);
  if (trained) {
    EXPECT_GE(double(same), 0.99 * double(texts.size()));
  }

  // transformers.js: raw texts through the exported tokenizer and config, fp32 and q8: titles
  // (shorter than the trained length) and abstracts (longer: truncated).
  std::vector<std::string> raw;
  for (size_t i = 0; i < 6; ++i) raw.push_back(papers[i].title);
  for (size_t i = 0; i < 6; ++i) raw.push_back(papers[i].abstract);
  write_file_atomically(dir / "texts.json", json(raw).dump());
  for (const char* dtype : {"fp32", "q8"}) {
    const auto out = dir / cat("transformers_", dtype, ".json");
    run_script(cat("node ", (kBaselines / "transformers_js_classify.mjs").string(), " --model ",
                   hf.string(), " --texts ", (dir / "texts.json").string(), " --dtype ", dtype,
                   " --out ", out.string()));
    const json results = read_json_file(out)["results"];
    ASSERT_EQ(results.size(), raw.size());
    double worst = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
      TokenBatch batch;
      batch.add_sequence(transformers_js_ids(opened.tokenizer, raw[i], size_t(max_length)));
      const std::vector<float> logits = fp32.run(batch);
      ASSERT_EQ(results[i].size(), size_t(labels)) << "every label, with top_k null";
      for (const auto& entry : results[i]) {
        const auto& names = opened.config.labels;
        const auto label = std::find(names.begin(), names.end(), entry["label"].get<std::string>());
        ASSERT_NE(label, names.end()) << entry.dump();
        worst = std::max(worst, std::abs(entry["score"].get<double>() -
                                         sigmoid(logits[size_t(label - names.begin())])));
      }
    }
    std::printf("[ transformers.js %s ] max |score difference| %.2e\n", dtype, worst);
    // q8 is a different model (int8): that it loads and scores every label is what counts.
    if (std::string(dtype) == "fp32") {
      EXPECT_LE(worst, 1e-4);
    }
  }
}

// Trains `name` on the first 500 papers of the shared data with `train_options` and checks
// its export.
void check_trained(const std::string& name, const std::string& train_options) {
  GREENBERT_SHARED_PATH(csv, "data/arxiv_data.csv");
  GREENBERT_REQUIRE_TOOL(have_node_packages(), "node with onnxruntime-node and transformers.js");
  const auto dir = testing::temp_dir("export-runtimes-" + name);
  const auto training = testing::run_cli(cat("train --data ", split_data(csv, dir).string(),
                                             " --epochs 1 --batch-size 16 --threads 1 --out ",
                                             (dir / "run").string(), " ", train_options));
  ASSERT_EQ(training.exit_code, 0) << training.err;
  check_runtimes(dir, dir / "run", "", true);
}

TEST(ExportRuntimes, BertTrainedHere) {
  check_trained("bert", "--preset bert-tiny --vocab-size 2000 --max-length 96");
}

TEST(ExportRuntimes, DistilBertTrainedHere) {
  const auto config = testing::temp_dir("export-runtimes-distil-config") / "distilbert.json";
  write_file_atomically(config, json({{"model_type", "distilbert"},
                                      {"dim", 64},
                                      {"n_layers", 2},
                                      {"n_heads", 4},
                                      {"hidden_dim", 128},
                                      {"vocab_size", 2000},
                                      {"max_position_embeddings", 128}})
                                    .dump());
  check_trained("distilbert",
                cat("--config ", config.string(), " --vocab-size 2000 --max-length 80"));
}

TEST(ExportRuntimes, HfCheckpointFineTuned) {
  GREENBERT_SHARED_PATH(init, "models/tiny-random-BertForSequenceClassification");
  check_trained("init", cat("--init ", init.string(), " --lr 1e-3 --max-length 64"));
}

// A checkpoint for the task's labels with uniform random weights in ±0.3 (LayerNorm around 1)
// and BERT's vocabulary, exported as it is (training would not change what it checks).
void check_random_checkpoint(ModelType type) {
  GREENBERT_SHARED_PATH(csv, "data/arxiv_data.csv");
  GREENBERT_SHARED_PATH(vocab, "models/bert-base-uncased-vocab.txt");
  GREENBERT_REQUIRE_TOOL(have_node_packages(), "node with onnxruntime-node and transformers.js");
  const auto dir = testing::temp_dir(cat("export-runtimes-random-", model_type_name(type)));
  BertConfig config = testing::small_config(type);
  config.vocab_size = 30522;
  config.labels = LabelMap::load(split_data(csv, dir) / "labels.json").names();
  ParameterBuffer params = testing::random_parameters(config, 11);
  save_model(dir / "random",
             {config, std::move(params), BertTokenizer::from_file(vocab), Thresholds{}});
  check_runtimes(dir, dir / "random", "--max-length 128", false);
}

TEST(ExportRuntimes, BertRandomCheckpoint) {
  check_random_checkpoint(ModelType::bert);
}

TEST(ExportRuntimes, DistilBertRandomCheckpoint) {
  check_random_checkpoint(ModelType::distilbert);
}

}  // namespace
}  // namespace greenbert
