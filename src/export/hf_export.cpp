#include "export/hf_export.h"

#include <set>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "model/names.h"
#include "model/parameters.h"
#include "text/vocab_trainer.h"

namespace greenbert {
namespace {

using nlohmann::ordered_json;

// HF's names of BERT's special tokens (tokenizer_config.json, special_tokens_map.json).
constexpr std::pair<const char*, const char*> kSpecialTokens[] = {{"cls_token", "[CLS]"},
                                                                  {"mask_token", "[MASK]"},
                                                                  {"pad_token", "[PAD]"},
                                                                  {"sep_token", "[SEP]"},
                                                                  {"unk_token", "[UNK]"}};

// Every token of the vocabulary in id order. tokenizer.json maps token → id, so a token listed
// twice in vocab.txt (its earlier ids unreachable) cannot be written there.
std::vector<std::string> vocabulary(const Vocab& vocab) {
  std::vector<std::string> tokens;
  std::set<std::string_view> seen;
  for (int32_t id = 0; id < vocab.size(); ++id) {
    if (!seen.insert(vocab.token(id)).second)
      fail(vocab.source(), ": token '", vocab.token(id), "' is listed twice (id ", id,
           "); tokenizer.json cannot hold a repeated token");
    tokens.emplace_back(vocab.token(id));
  }
  return tokens;
}

ordered_json special_token(const char* token, int type_id) {
  return {{"SpecialToken", {{"id", token}, {"type_id", type_id}}}};
}

ordered_json sequence(const char* id, int type_id) {
  return {{"Sequence", {{"id", id}, {"type_id", type_id}}}};
}

// [CLS] $A [SEP] (and $B [SEP] with type 1 for pairs), as BertProcessing writes it.
ordered_json template_processing(const Vocab& vocab) {
  ordered_json specials = ordered_json::object();
  for (const char* token : {"[CLS]", "[SEP]"})
    specials[token] = {{"id", token}, {"ids", {vocab.id(token)}}, {"tokens", {token}}};
  return {{"type", "TemplateProcessing"},
          {"single", {special_token("[CLS]", 0), sequence("A", 0), special_token("[SEP]", 0)}},
          {"pair",
           {special_token("[CLS]", 0), sequence("A", 0), special_token("[SEP]", 0),
            sequence("B", 1), special_token("[SEP]", 1)}},
          {"special_tokens", specials}};
}

// The same thresholds as thresholds.json, keyed by label.
ordered_json thresholds_json(const Thresholds& thresholds, const std::vector<std::string>& labels) {
  ordered_json json{{"global", thresholds.global}, {"use_per_label", thresholds.use_per_label}};
  if (!thresholds.per_label.empty()) {
    ordered_json& per_label = json["per_label"] = ordered_json::object();
    for (size_t i = 0; i < labels.size() && i < thresholds.per_label.size(); ++i)
      per_label[labels[i]] = thresholds.per_label[i];
  }
  return json;
}

// special_tokens_map.json: the special tokens this vocabulary has.
ordered_json special_tokens_map(const Vocab& vocab) {
  ordered_json json = ordered_json::object();
  for (const auto& [key, token] : kSpecialTokens)
    if (vocab.id(token) >= 0) json[key] = token;
  return json;
}

void write_json(const std::filesystem::path& path, const ordered_json& json) {
  write_file_atomically(path, json.dump(2) + "\n");
}

}  // namespace

ordered_json hf_config_json(const BertConfig& config, const Thresholds& thresholds,
                            Precision precision) {
  ordered_json json = to_json(config);
  json["torch_dtype"] = precision == Precision::bf16 ? "bfloat16" : "float32";
  json["greenbert_thresholds"] = thresholds_json(thresholds, config.labels);
  return json;
}

ordered_json tokenizer_json(const BertTokenizer& tokenizer, int64_t max_length) {
  const Vocab& vocab = tokenizer.vocab();
  const NormalizerOptions& options = tokenizer.options();
  ordered_json added = ordered_json::array();
  std::set<std::pair<int32_t, std::string>> specials;
  for (const auto& [key, token] : kSpecialTokens)
    if (vocab.id(token) >= 0) specials.emplace(vocab.id(token), token);
  for (const auto& [id, token] : specials)
    added.push_back({{"id", id},
                     {"content", token},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  // Appended in id order to the object's vector: ordered_json's operator[] searches linearly,
  // which is quadratic over a 30k-token vocabulary (vocabulary() has refused repeats already).
  ordered_json tokens = ordered_json::object();
  auto& entries = tokens.get_ref<ordered_json::object_t&>();
  const std::vector<std::string> all = vocabulary(vocab);
  for (size_t id = 0; id < all.size(); ++id) entries.emplace_back(all[id], id);
  return {{"version", "1.0"},
          {"truncation",
           {{"direction", "Right"},
            {"max_length", max_length},
            {"strategy", "LongestFirst"},
            {"stride", 0}}},
          {"padding", nullptr},
          {"added_tokens", added},
          {"normalizer",
           {{"type", "BertNormalizer"},
            {"clean_text", true},
            {"handle_chinese_chars", options.split_cjk},
            {"strip_accents", options.strip_accents},
            {"lowercase", options.lowercase}}},
          {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
          {"post_processor", template_processing(vocab)},
          {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
          {"model",
           {{"type", "WordPiece"},
            {"unk_token", "[UNK]"},
            {"continuing_subword_prefix", "##"},
            {"max_input_chars_per_word", 100},
            {"vocab", tokens}}}};
}

ordered_json tokenizer_config_json(const BertTokenizer& tokenizer, ModelType type,
                                   int64_t max_length) {
  const NormalizerOptions& options = tokenizer.options();
  ordered_json json{
      {"clean_up_tokenization_spaces", true},
      {"do_basic_tokenize", true},
      {"do_lower_case", options.lowercase},
      {"model_max_length", max_length},
      {"never_split", nullptr},
      {"strip_accents", options.strip_accents},
      {"tokenize_chinese_chars", options.split_cjk},
      {"tokenizer_class", type == ModelType::bert ? "BertTokenizer" : "DistilBertTokenizer"}};
  json.update(special_tokens_map(tokenizer.vocab()));
  return json;
}

void write_hf_model(const std::filesystem::path& dir, const ExportSource& source,
                    Precision precision) {
  if (precision == Precision::int8)
    fail("a Hugging Face checkpoint is fp32 or bf16; int8 models are exported to ONNX");
  const DType dtype = precision == Precision::bf16 ? DType::BF16 : DType::F32;
  const ParameterLayout layout(source.config);
  std::vector<std::vector<std::byte>> storage;
  std::vector<NamedTensor> tensors;
  storage.reserve(layout.tensors().size());
  for (const ParameterTensor& t : layout.tensors()) {
    const TensorView& view = source.weights.at(t.name);
    const std::string name = checkpoint_name(t.name, source.config.model_type);
    if (!is_floating(view.dtype))
      fail("tensor ", name, " is ", dtype_name(view.dtype),
           ": an int8 model cannot be a Hugging Face checkpoint; export the fp32 model, or this "
           "one with --to onnx");
    const std::vector<float> values = to_float32(view);
    storage.emplace_back(values.size() * dtype_size(dtype));
    from_float32(dtype, values, storage.back());
    tensors.push_back({name, {dtype, t.shape, storage.back()}});
  }
  const BertTokenizer& tokenizer = source.tokenizer;
  std::filesystem::create_directories(dir);
  // Weights first: a crash before config.json leaves nothing a loader would take for a model.
  write_safetensors(dir / model_files::kWeights, tensors, {{"format", "pt"}});
  write_vocab(dir / model_files::kVocab, vocabulary(tokenizer.vocab()));
  write_json(dir / model_files::kTokenizerJson, tokenizer_json(tokenizer, source.max_length));
  write_json(dir / model_files::kTokenizerConfig,
             tokenizer_config_json(tokenizer, source.config.model_type, source.max_length));
  write_json(dir / kSpecialTokensMapFile, special_tokens_map(tokenizer.vocab()));
  write_json(dir / model_files::kConfig,
             hf_config_json(source.config, source.thresholds, precision));
}

}  // namespace greenbert
