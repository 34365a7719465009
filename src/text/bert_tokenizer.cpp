#include "text/bert_tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "text/wordpiece.h"

namespace greenbert {

namespace {

// Per-thread buffers so that tokenization allocates only while they grow.
struct Scratch {
  WordList words;
  std::vector<int32_t> first, second;
};

Scratch& scratch() {
  thread_local Scratch buffers;
  return buffers;
}

// The value of an optional boolean key of tokenizer_config.json (null counts as absent).
std::optional<bool> config_flag(const nlohmann::json& config, const char* key,
                                const std::filesystem::path& path) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) fail(path.string(), ": ", key, " must be true, false or null");
  return it->get<bool>();
}

NormalizerOptions resolve_options(const TokenizerOptions& given,
                                  const std::filesystem::path& vocab_txt) {
  TokenizerOptions options = given;
  const auto config_path = vocab_txt.parent_path() / "tokenizer_config.json";
  if (std::filesystem::exists(config_path)) {
    const nlohmann::json config = read_json_file(config_path);
    if (!config.is_object()) fail(config_path.string(), ": expected a JSON object");
    if (!options.lowercase) options.lowercase = config_flag(config, "do_lower_case", config_path);
    if (!options.strip_accents) {
      options.strip_accents = config_flag(config, "strip_accents", config_path);
    }
    if (!options.split_cjk) {
      options.split_cjk = config_flag(config, "tokenize_chinese_chars", config_path);
    }
  }
  NormalizerOptions resolved;
  resolved.lowercase = options.lowercase.value_or(true);
  resolved.strip_accents = options.strip_accents.value_or(resolved.lowercase);
  resolved.split_cjk = options.split_cjk.value_or(true);
  return resolved;
}

int32_t required_id(const Vocab& vocab, std::string_view token) {
  int32_t id = vocab.id(token);
  if (id < 0) fail(vocab.source(), ": vocabulary has no ", token, " token");
  return id;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

Encoding make_encoding(int32_t cls, std::span<const int32_t> a, int32_t sep,
                       std::span<const int32_t> b, bool pair) {
  Encoding e;
  const size_t first = a.size() + 2;
  const size_t total = first + (pair ? b.size() + 1 : 0);
  e.input_ids.reserve(total);
  e.input_ids.push_back(cls);
  e.input_ids.insert(e.input_ids.end(), a.begin(), a.end());
  e.input_ids.push_back(sep);
  if (pair) {
    e.input_ids.insert(e.input_ids.end(), b.begin(), b.end());
    e.input_ids.push_back(sep);
  }
  e.token_type_ids.assign(total, 0);
  std::fill(e.token_type_ids.begin() + static_cast<ptrdiff_t>(first), e.token_type_ids.end(), 1);
  e.attention_mask.assign(total, 1);
  return e;
}

}  // namespace

void pad_encoding(Encoding& encoding, size_t length, int32_t pad_id) {
  if (encoding.input_ids.size() >= length) return;
  encoding.input_ids.resize(length, pad_id);
  encoding.token_type_ids.resize(length, 0);
  encoding.attention_mask.resize(length, 0);
}

BertTokenizer::BertTokenizer(Vocab vocab, const NormalizerOptions& options)
    : vocab_(std::move(vocab)),
      options_(options),
      unk_id_(required_id(vocab_, "[UNK]")),
      cls_id_(required_id(vocab_, "[CLS]")),
      sep_id_(required_id(vocab_, "[SEP]")),
      pad_id_(required_id(vocab_, "[PAD]")) {
  for (std::string_view name : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    int32_t id = vocab_.id(name);
    if (id >= 0) specials_.push_back({std::string(name), id});
  }
  // Longest first, so that the first match at a position is HF's leftmost-longest match.
  std::stable_sort(specials_.begin(), specials_.end(),
                   [](const auto& a, const auto& b) { return a.text.size() > b.text.size(); });
}

BertTokenizer BertTokenizer::from_file(const std::filesystem::path& vocab_txt,
                                       const TokenizerOptions& options) {
  return BertTokenizer(Vocab::load(vocab_txt), resolve_options(options, vocab_txt));
}

void BertTokenizer::tokenize_segment(std::string_view text, std::vector<int32_t>& ids) const {
  WordList& words = scratch().words;
  words.clear();
  basic_tokenize(text, options_, words);
  for (size_t i = 0; i < words.size(); ++i) wordpiece(words[i], vocab_, unk_id_, ids);
}

void BertTokenizer::tokenize(std::string_view text, std::vector<int32_t>& ids) const {
  size_t segment_start = 0;
  size_t at = 0;
  while (at < text.size()) {
    const void* bracket = std::memchr(text.data() + at, '[', text.size() - at);
    if (bracket == nullptr) break;
    at = static_cast<size_t>(static_cast<const char*>(bracket) - text.data());
    auto match = std::find_if(specials_.begin(), specials_.end(), [&](const SpecialToken& s) {
      return text.substr(at).starts_with(s.text);
    });
    if (match == specials_.end()) {
      ++at;
      continue;
    }
    tokenize_segment(text.substr(segment_start, at - segment_start), ids);
    ids.push_back(match->id);
    at += match->text.size();
    segment_start = at;
  }
  tokenize_segment(text.substr(segment_start), ids);
}

Encoding BertTokenizer::encode(std::string_view text, size_t max_length) const {
  auto& ids = scratch().first;
  ids.clear();
  tokenize(text, ids);
  return encode_ids(ids, max_length);
}

Encoding BertTokenizer::encode_pair(std::string_view a, std::string_view b,
                                    size_t max_length) const {
  auto& ids_a = scratch().first;
  auto& ids_b = scratch().second;
  ids_a.clear();
  ids_b.clear();
  tokenize(a, ids_a);
  tokenize(b, ids_b);
  return encode_pair_ids(ids_a, ids_b, max_length);
}

Encoding BertTokenizer::encode_ids(std::span<const int32_t> ids, size_t max_length) const {
  if (max_length < 2) fail("max_length ", max_length, " leaves no room for [CLS] and [SEP]");
  return make_encoding(cls_id_, ids.first(std::min(ids.size(), max_length - 2)), sep_id_, {},
                       false);
}

Encoding BertTokenizer::encode_pair_ids(std::span<const int32_t> a, std::span<const int32_t> b,
                                        size_t max_length) const {
  if (max_length < 3) fail("max_length ", max_length, " leaves no room for [CLS] and two [SEP]");
  // tokenizers' utils/truncation.rs, LongestFirst with a pair.
  const size_t budget = max_length - 3;
  size_t n_a = a.size();
  size_t n_b = b.size();
  if (n_a + n_b > budget) {
    size_t shorter = std::min(n_a, n_b);
    size_t longer = shorter > budget ? shorter : std::max(shorter, budget - shorter);
    if (shorter + longer > budget) {
      shorter = budget / 2;
      longer = shorter + budget % 2;
    }
    const bool a_is_longer = n_a > n_b;  // on a tie, b counts as the longer one
    n_a = a_is_longer ? longer : shorter;
    n_b = a_is_longer ? shorter : longer;
  }
  return make_encoding(cls_id_, a.first(std::min(n_a, a.size())), sep_id_,
                       b.first(std::min(n_b, b.size())), true);
}

std::vector<Encoding> BertTokenizer::encode_batch(std::span<const std::string> texts,
                                                  size_t max_length, Padding padding) const {
  if (max_length < 2) fail("max_length ", max_length, " leaves no room for [CLS] and [SEP]");
  std::vector<Encoding> encodings(texts.size());
  const auto count = static_cast<int64_t>(texts.size());
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t i = 0; i < count; ++i) encodings[i] = encode(texts[i], max_length);
  size_t length = 0;
  if (padding == Padding::max_length) length = max_length;
  if (padding == Padding::longest) {
    for (const auto& e : encodings) length = std::max(length, e.input_ids.size());
  }
  for (auto& e : encodings) pad_encoding(e, length, pad_id_);
  return encodings;
}

bool BertTokenizer::is_special(int32_t id) const {
  return std::any_of(specials_.begin(), specials_.end(),
                     [id](const SpecialToken& s) { return s.id == id; });
}

std::vector<std::string> BertTokenizer::tokens(std::span<const int32_t> ids) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (int32_t id : ids) out.emplace_back(vocab_.token(id));
  return out;
}

std::string BertTokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  // tokenizers' WordPiece decoder (cleanup on) per token, then transformers'
  // clean_up_tokenization over the whole string, as BertTokenizerFast.decode does.
  std::string text;
  bool first = true;
  for (int32_t id : ids) {
    if (skip_special_tokens && is_special(id)) continue;
    std::string piece(vocab_.token(id));
    if (!first) {
      if (piece.starts_with("##")) {
        piece.erase(0, 2);
      } else {
        piece.insert(0, 1, ' ');
      }
    }
    first = false;
    for (auto [from, to] : {std::pair{" .", "."},
                            {" ?", "?"},
                            {" !", "!"},
                            {" ,", ","},
                            {" ' ", "'"},
                            {" n't", "n't"},
                            {" 'm", "'m"},
                            {" do not", " don't"},
                            {" 's", "'s"},
                            {" 've", "'ve"},
                            {" 're", "'re"}}) {
      replace_all(piece, from, to);
    }
    text += piece;
  }
  for (auto [from, to] : {std::pair{" .", "."},
                          {" ?", "?"},
                          {" !", "!"},
                          {" ,", ","},
                          {" ' ", "'"},
                          {" n't", "n't"},
                          {" 'm", "'m"},
                          {" 's", "'s"},
                          {" 've", "'ve"},
                          {" 're", "'re"}}) {
    replace_all(text, from, to);
  }
  return text;
}

}  // namespace greenbert
