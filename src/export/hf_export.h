#pragma once
// The classifier as a Hugging Face model directory that transformers (AutoModelFor
// SequenceClassification, pipelines), text-embeddings-inference and transformers.js load as is:
//
//   config.json              Bert/DistilBertForSequenceClassification, problem_type
//                            multi_label_classification, id2label (string keys) and label2id,
//                            torch_dtype, and the tuned thresholds under "greenbert_thresholds"
//   model.safetensors        every parameter under HF's names, fp32 or bf16, metadata
//                            {"format": "pt"}
//   vocab.txt, tokenizer.json (the fast tokenizer: BertNormalizer, BertPreTokenizer, WordPiece,
//                            [CLS] $A [SEP] template, truncation at the trained length),
//   tokenizer_config.json    (do_lower_case, model_max_length = the trained length, ...),
//   special_tokens_map.json
#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/precision.h"
#include "export/export_source.h"

namespace greenbert {

// The one file of an HF directory that a greenbert model directory does not have.
inline constexpr const char* kSpecialTokensMapFile = "special_tokens_map.json";

// Writes the files above into `dir` (created if missing), each atomically. `precision`: fp32 or
// bf16 (every tensor in that dtype, as save_pretrained writes a model of that dtype); an int8
// source is refused (its weights are not HF's). Throws greenbert::Error.
void write_hf_model(const std::filesystem::path& dir, const ExportSource& source,
                    Precision precision);

// The documents, for tests and other writers.
nlohmann::ordered_json hf_config_json(const BertConfig& config, const Thresholds& thresholds,
                                      Precision precision);
nlohmann::ordered_json tokenizer_json(const BertTokenizer& tokenizer, int64_t max_length);
nlohmann::ordered_json tokenizer_config_json(const BertTokenizer& tokenizer, ModelType type,
                                             int64_t max_length);

}  // namespace greenbert
