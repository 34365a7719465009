#pragma once
// What the exporters take: a classifier as plain values (architecture and labels, weights by
// canonical HF name, tokenizer, thresholds, the sequence length it was trained at), and the ONE
// function that reads them from a greenbert model directory. The exporters never open a model
// directory themselves.
#include <cstdint>
#include <filesystem>
#include <optional>

#include "infer/quantized_model.h"
#include "model/config.h"
#include "model/model_dir.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

struct ExportSource {
  BertConfig config;  // config.labels: the label names, in id order
  // Canonical (HF BERT) names: f32 for an fp32 model; what `greenbert quantize` wrote (int8 or
  // bf16 Linear weights and word embeddings, f32 everything else) for a quantized one.
  PrecisionTensors weights;
  BertTokenizer tokenizer;  // vocabulary and normaliser options
  Thresholds thresholds;
  int64_t max_length = 0;  // tokens per sequence ([CLS] and [SEP] included) it was trained at
};

// Reads a model directory: a greenbert run or `quantize` output, or an HF directory with a
// classification head (any checkpoint load_model takes). `max_length` unset: the directory's
// tokenizer_config.json model_max_length, else max_position_embeddings. Throws greenbert::Error.
ExportSource read_export_source(const std::filesystem::path& dir,
                                std::optional<int64_t> max_length);

}  // namespace greenbert
