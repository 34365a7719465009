#pragma once
// A model directory: what `train` writes and `eval`, `predict`, `quantize`, `bench` read, and
// also how real Hugging Face checkpoints come in.
//
//   config.json            HF-compatible (Bert/DistilBertForSequenceClassification, id2label)
//   model.safetensors      fp32 parameters under the HF names of the model's family
//   vocab.txt              + tokenizer_config.json (do_lower_case, ...)
//   labels.json            the label map, as `greenbert data split` writes it
//   thresholds.json        decision thresholds tuned on validation
//
// Loading also accepts HF directories: weights from model.safetensors or pytorch_model.bin,
// the vocabulary from vocab.txt or tokenizer.json, labels from config.json's id2label. Like
// HF's from_pretrained, tensors the model lacks are initialised fresh (and listed), tensors the
// model does not use are listed, and a classification head trained for other labels is
// replaced when the caller asks for its own labels.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/parameters.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

struct Thresholds {
  float global = 0.5f;
  std::vector<float> per_label;  // one per label when tuned; empty otherwise
  bool use_per_label = false;    // whether predictions use per_label (else global)

  // The thresholds predictions should use: per_label or {global}.
  std::span<const float> effective() const;
};

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

ClassifierModel load_model(const std::filesystem::path& dir, const LoadModelOptions& options = {},
                           LoadModelReport* report = nullptr);

// Everything of a model directory but the parameters, for loaders of other weight formats (the
// inference session reads int8/bf16 weights that load_model refuses): config.json (its labels
// checked against labels.json), the tokenizer, the thresholds, and the weights file's path.
struct ModelFiles {
  BertConfig config;
  BertTokenizer tokenizer;
  Thresholds thresholds;
  std::filesystem::path weights;
};
ModelFiles load_model_files(const std::filesystem::path& dir);

// A new model for `config` (labels set by the caller) with HF's initialisation.
ClassifierModel new_model(const BertConfig& config, BertTokenizer tokenizer, uint64_t seed,
                          LayoutOptions layout = {});

// Writes every file of the directory (created if missing), each atomically. The optional
// masked-LM head, when the layout has one, is saved under HF's cls.predictions.* names so that
// a pre-trained encoder loads with `load_model` (which ignores it) or HF's BertForPreTraining.
void save_model(const std::filesystem::path& dir, const ClassifierModel& model);

// Only the parameters (model.safetensors), e.g. for checkpoints inside a run.
void save_parameters(const std::filesystem::path& path, const BertConfig& config,
                     const ParameterBuffer& params);

// The tokenizer of a model directory: vocab.txt (+ tokenizer_config.json) or tokenizer.json.
BertTokenizer load_tokenizer(const std::filesystem::path& dir);

// thresholds.json for a model of `labels` (the defaults when the file is missing).
Thresholds load_thresholds(const std::filesystem::path& path,
                           const std::vector<std::string>& labels);

// thresholds.json alone (atomically), e.g. once thresholds are tuned for a saved model.
void save_thresholds(const std::filesystem::path& path, const Thresholds& thresholds,
                     const std::vector<std::string>& labels);

// Human-readable notes about a load (fresh tensors, unused ones), one per line; empty when
// the checkpoint matched the model exactly.
std::string describe(const LoadModelReport& report);

}  // namespace greenbert
