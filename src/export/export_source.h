#pragma once
// What the exporters take: a classifier as plain values (architecture and labels, weights by
// canonical HF name, tokenizer, thresholds, the sequence length it was trained at), and the ONE
// function that makes them from an opened model directory. The exporters never read a model
// directory themselves.
#include <cstdint>
#include <optional>

#include "model/config.h"
#include "model/model_directory.h"
#include "model/thresholds.h"
#include "model/weights_format.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

struct ExportSource {
  BertConfig config;  // config.labels: the label names, in id order
  // Canonical (HF BERT) names: fp32 for an fp32 model; what `greenbert quantize` wrote (int8 or
  // bf16 Linear weights and word embeddings, fp32 everything else) for a quantized one.
  ModelTensors weights;
  BertTokenizer tokenizer;  // vocabulary and normaliser options
  Thresholds thresholds;
  int64_t max_length = 0;  // tokens per sequence ([CLS] and [SEP] included) it was trained at
};

// The classifier of a model directory: a greenbert run or `quantize` output, or an HF directory
// with a classification head (any checkpoint load_model takes). `max_length` unset: the training
// run's --max-length, else the directory's tokenizer_config.json model_max_length, else
// max_position_embeddings. Throws greenbert::Error.
ExportSource read_export_source(const ModelDirectory& dir, std::optional<int64_t> max_length);

}  // namespace greenbert
