#pragma once
// A small synthetic arXiv-like task that a tiny model learns in seconds: every label has its own
// topic words, an abstract mixes the topic words of its labels with filler, and label-sets
// repeat so the stratified split keeps them. Plus a tiny architecture to train on it.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "model/config.h"
#include "model/model_directory.h"
#include "text/bert_tokenizer.h"
#include "tiny_bert_config.h"

namespace greenbert::testing {

inline const std::vector<std::string>& synthetic_label_sets() {
  static const std::vector<std::string> sets = {"cs.CV",       "cs.CL",    "cs.CV cs.LG", "math.OC",
                                                "cs.CL cs.LG", "quant-ph", "cs.LG"};
  return sets;
}

inline std::vector<std::string> topic_words(const std::string& label) {
  std::vector<std::string> words;
  for (int i = 0; i < 6; ++i)
    words.push_back(cat(label == "cs.CV"     ? "pixel"
                        : label == "cs.CL"   ? "token"
                        : label == "cs.LG"   ? "gradient"
                        : label == "math.OC" ? "convex"
                                             : "qubit",
                        static_cast<char>('a' + i)));
  return words;
}

inline std::vector<std::string> filler_words() {
  return {"the", "we", "propose", "method", "results", "show", "data", "model", "novel", "paper"};
}

// n papers (titles unique) with terms from synthetic_label_sets, deterministic for `seed`.
inline std::vector<Paper> synthetic_papers(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto& sets = synthetic_label_sets();
  const auto filler = filler_words();
  std::vector<Paper> papers;
  for (int i = 0; i < n; ++i) {
    Paper p;
    p.title = cat("Synthetic paper number ", i);
    std::string terms = sets[static_cast<size_t>(i) % sets.size()];
    std::vector<std::string> topic;
    size_t start = 0;
    while (start < terms.size()) {
      size_t end = terms.find(' ', start);
      if (end == std::string::npos) end = terms.size();
      p.terms.push_back(terms.substr(start, end - start));
      for (const auto& w : topic_words(p.terms.back())) topic.push_back(w);
      start = end + 1;
    }
    // One length for all (plus the title's words): every sequence length is a new set of
    // attention GEMM primitives to build, which would cost a tiny model more than its training.
    for (int w = 0; w < 20; ++w) {
      const bool on_topic = rng() % 2 == 0;
      p.abstract +=
          (w ? " " : "") + (on_topic ? topic[rng() % topic.size()] : filler[rng() % filler.size()]);
    }
    p.line = i + 2;
    papers.push_back(std::move(p));
  }
  return papers;
}

// The papers as the data's CSV (titles,summaries,terms with Python-list terms).
inline std::filesystem::path write_synthetic_csv(const std::filesystem::path& path, int n,
                                                 uint32_t seed) {
  std::string text = "titles,summaries,terms\n";
  for (const Paper& p : synthetic_papers(n, seed)) {
    std::string terms;
    for (const auto& t : p.terms) terms += cat(terms.empty() ? "" : ", ", "'", t, "'");
    text += cat(p.title, ",", p.abstract, ",\"[", terms, "]\"\n");
  }
  write_file_atomically(path, text);
  return path;
}

// Every word the synthetic papers use, after the special tokens ([PAD]=0 ... [MASK]=4).
inline BertTokenizer synthetic_tokenizer() {
  std::vector<std::string> tokens = {"[PAD]",  "[UNK]",     "[CLS]", "[SEP]",
                                     "[MASK]", "synthetic", "paper", "number"};
  for (const auto& w : filler_words()) tokens.push_back(w);
  for (const char* label : {"cs.CV", "cs.CL", "cs.LG", "math.OC", "quant-ph"})
    for (const auto& w : topic_words(label)) tokens.push_back(w);
  for (int d = 0; d < 10; ++d) tokens.push_back(std::to_string(d));
  for (int d = 0; d < 10; ++d) tokens.push_back("##" + std::to_string(d));
  return BertTokenizer(Vocab::from_tokens(tokens, "synthetic vocabulary"), NormalizerOptions{});
}

// A 2-layer, 32-wide BERT: a training step takes about a millisecond.
inline BertConfig tiny_config(int64_t vocab_size) {
  BertConfig c = tiny_bert_config();
  c.vocab_size = vocab_size;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.max_position_embeddings = 64;
  return c;
}

inline std::filesystem::path write_tiny_config(const std::filesystem::path& path) {
  save_config(path, tiny_config(100));
  return path;
}

// The synthetic papers prepared as the study does, with the synthetic tokenizer's model.
inline Dataset synthetic_dataset(int n, uint32_t seed) {
  PrepareOptions options;
  options.ratios = {0.8, 0.1, 0.1};
  return prepare_dataset(synthetic_papers(n, seed), options);
}

// The rows of the CSV log `file` without its last `timed_columns` columns (speed, elapsed
// seconds), which differ from run to run.
inline std::vector<std::string> deterministic_rows(const std::filesystem::path& file,
                                                   size_t timed_columns) {
  std::vector<std::string> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    for (size_t i = 0; i < timed_columns; ++i) line = line.substr(0, line.rfind(','));
    rows.push_back(line);
  }
  return rows;
}

inline ClassifierModel synthetic_model(const Dataset& dataset, uint64_t seed) {
  BertTokenizer tokenizer = synthetic_tokenizer();
  BertConfig config = tiny_config(tokenizer.vocab().size());
  config.labels = dataset.labels.names();
  return new_model(config, std::move(tokenizer), seed);
}

}  // namespace greenbert::testing
