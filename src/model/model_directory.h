#pragma once
// A model directory: what `train` and `quantize` write (save_model is its only writer) and what
// every command that uses a model reads, once, through ModelDirectory::open (eval, predict,
// quantize, bench, the study's stages, train --init); also how Hugging Face checkpoints come in.
//
//   config.json         HF-compatible architecture and labels (id2label)          required
//   model.safetensors   the weights, at the precision their metadata declares
//                       (model/weights_format.h); HF directories: or pytorch_model.bin
//   vocab.txt           + tokenizer_config.json (do_lower_case, ...); HF: or tokenizer.json
//   labels.json         the label map as `greenbert data split` writes it (= id2label)
//   thresholds.json     decision thresholds tuned on validation (model/thresholds.h)
//   train_config.json   a training run's options: eval and predict take their defaults from it
//
// Opening reads and checks every file once, the weights before anything is allocated for them:
// every tensor the config needs is in the file with its shape (so the file's size bounds what
// loading allocates), every value is finite and every quantization scale valid, and every
// integer of every file fits the type it is stored in. Loaders then take the opened directory:
// load_model (fp32 parameters for the reference encoder: training, quantizing),
// load_linear_model (model/linear_model.h), InferenceSession::open and open_classifier (infer/),
// quantize_model, the benchmark.
//
// load_model behaves like HF's from_pretrained: tensors the model lacks are initialised fresh
// (and listed), tensors it does not use are listed, and a classification head trained for other
// labels is replaced when the caller asks for its own labels.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/precision.h"
#include "data/dataset.h"
#include "model/config.h"
#include "model/linear_config.h"
#include "model/parameters.h"
#include "model/thresholds.h"
#include "model/weights_format.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

// The files of a model directory, named once for the writer and the readers.
namespace model_files {
inline constexpr const char* kConfig = "config.json";
inline constexpr const char* kWeights = "model.safetensors";
inline constexpr const char* kTorchWeights = "pytorch_model.bin";  // HF directories only
inline constexpr const char* kVocab = "vocab.txt";
inline constexpr const char* kTokenizerConfig = "tokenizer_config.json";
inline constexpr const char* kTokenizerJson = "tokenizer.json";  // HF directories only
inline constexpr const char* kLabels = "labels.json";
inline constexpr const char* kThresholds = "thresholds.json";
inline constexpr const char* kRunConfig = "train_config.json";
// What `greenbert export --to onnx` writes, by transformers.js's names (fp32 or int8).
inline const char* onnx(Precision precision) {
  return precision == Precision::int8 ? "model_quantized.onnx" : "model.onnx";
}
}  // namespace model_files

// What a directory holds: the one place a directory's kind is decided (ModelDirectory::open, from
// config.json's model_type); every loader dispatches on it.
//   encoder  a BERT-family encoder with a multi-label classification head (config.json's
//            model_type says which family)
//   linear   greenbert's fastText-style baseline (model/linear_model.h): model_type
//            "greenbert-linear", its own config and tensors in the same files
enum class ModelKind : uint8_t { encoder, linear };
const char* model_kind_name(ModelKind kind);  // "encoder" / "linear"

// Everything of a model directory but the weights.
struct ModelDescription {
  ModelKind kind = ModelKind::encoder;
  // config.labels are the label names, in id order. A linear model's config holds only its
  // labels and vocab_size; `linear` below is its own.
  BertConfig config;
  BertTokenizer tokenizer;
  Thresholds thresholds;
  nlohmann::json run_config;  // train_config.json (an object); null when absent
  // How the training run encoded its inputs, which eval, predict and serve follow: its
  // --max-length (0 without a run config: the caller's default) and --text.
  int64_t run_max_length = 0;
  TextInput run_text = TextInput::abstract;
  LinearConfig linear = {};  // kind linear
};

// The weights file, mapped and checked against the config.
struct ModelWeights {
  std::filesystem::path path;
  uint64_t bytes = 0;    // the file's size
  WeightsHeader header;  // what its metadata declares (an HF checkpoint: greenbert false, fp32)
  ModelTensors tensors;  // canonical names; views into the mapping, which tensors.keep_alive holds
  std::map<std::string, std::string, std::less<>> checkpoint_names;  // canonical → name in file
  std::vector<std::string> unused;  // tensors no model of the family has (ignored ones aside)

  Precision precision() const { return tensors.precision; }
};

struct ModelDirectory : ModelDescription {
  std::filesystem::path path;
  std::optional<ModelWeights> weights;  // absent: no weights file (yet)

  // Reads and checks DIR as described above. Throws greenbert::Error naming the file and field.
  static ModelDirectory open(const std::filesystem::path& dir);
  // The weights; throws "DIR: no model.safetensors or pytorch_model.bin" without them.
  const ModelWeights& require_weights() const;
};

// A model with fp32 parameters, as the reference encoder trains and runs it.
struct ClassifierModel {
  BertConfig config;  // config.labels are the label names, in id order
  ParameterBuffer params;
  BertTokenizer tokenizer;
  Thresholds thresholds;
};

struct LoadModelOptions {
  // The task's labels. When set and the checkpoint's head was trained for other labels (or
  // has none), the classifier is initialised fresh for these; when unset the checkpoint's
  // labels are used and its head must be there.
  std::optional<std::vector<std::string>> labels;
  uint64_t seed = 42;  // for freshly initialised tensors
  LayoutOptions layout;
};

struct LoadModelReport {
  std::filesystem::path weights;         // the file the parameters came from
  std::vector<std::string> initialized;  // canonical names initialised fresh
  std::vector<std::string> unused;       // checkpoint tensors the model does not use
  bool head_replaced = false;            // the checkpoint's classifier had other labels
};

// The directory's fp32 parameters (its weights must be fp32: a quantized directory is for the
// inference session; an encoder's: a linear model loads with load_linear_model).
ClassifierModel load_model(const ModelDirectory& dir, const LoadModelOptions& options = {},
                           LoadModelReport* report = nullptr);

// A new model for `config` (labels set by the caller) with HF's initialisation.
ClassifierModel new_model(const BertConfig& config, BertTokenizer tokenizer, uint64_t seed,
                          LayoutOptions layout = {});

// Writes DIR (created if missing) as a model directory of description.kind, each file
// atomically: the weights first
// (a crash in between leaves the previous description of the same architecture, which the new
// weights fit), then config.json, vocab.txt, tokenizer_config.json, labels.json,
// thresholds.json, and train_config.json when the description has a run config. Without
// `weights`, only the description (a training run before its first validation).
void save_model(const std::filesystem::path& dir, const ModelDescription& description,
                const ModelTensors* weights);
// The model's fp32 parameters and description. The optional masked-LM head, when the layout has
// one, is saved under HF's cls.predictions.* names, so that a pre-trained encoder loads with
// load_model (which skips it) or HF's BertForPreTraining.
void save_model(const std::filesystem::path& dir, const ClassifierModel& model);
// train_config.json (or pretrain's `file`) alone, atomically: a run records its options when it
// starts.
void save_run_config(const std::filesystem::path& dir, const nlohmann::json& run_config,
                     const char* file = model_files::kRunConfig);
// DIR's train_config.json (or `file`; an object), or null when it has none: what a run checks
// before it starts or resumes, when the directory may hold nothing else yet.
nlohmann::json load_run_config(const std::filesystem::path& dir,
                               const char* file = model_files::kRunConfig);

// Human-readable notes about a load (fresh tensors, unused ones), one per line; empty when
// the checkpoint matched the model exactly.
std::string describe(const LoadModelReport& report);

}  // namespace greenbert
