// Tokenizer throughput on real abstracts, ONE thread: MB/s of abstract text through basic
// tokenization alone, and through basic + WordPiece (the full tokenize()).
// Needs ../shared (arxiv_data.csv and bert-base-uncased-vocab.txt); run
// build/bench/bench_tokenizer --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "text/bert_tokenizer.h"

namespace {

const std::filesystem::path kShared =
    std::filesystem::path(GREENBERT_SOURCE_DIR).parent_path() / "shared";

// A crude RFC 4180 reader, enough for a benchmark: the `summaries` column (second field) of
// every record. The real reader lives in src/data.
const std::vector<std::string>& abstracts() {
  static const std::vector<std::string> texts = [] {
    const std::string csv = greenbert::read_file(kShared / "data/arxiv_data.csv");
    std::vector<std::string> out;
    std::string field;
    int column = 0;
    bool quoted = false;
    bool header = true;
    for (size_t i = 0; i < csv.size(); ++i) {
      const char c = csv[i];
      if (quoted) {
        if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',' || c == '\n') {
        if (column == 1 && !header) out.push_back(field);
        field.clear();
        column = c == ',' ? column + 1 : 0;
        if (c == '\n') header = false;
      } else {
        field += c;
      }
    }
    return out;
  }();
  return texts;
}

int64_t total_bytes(const std::vector<std::string>& texts) {
  int64_t bytes = 0;
  for (const auto& t : texts) bytes += static_cast<int64_t>(t.size());
  return bytes;
}

bool have_shared(benchmark::State& state) {
  if (std::filesystem::exists(kShared / "data/arxiv_data.csv")) return true;
  state.SkipWithError("../shared is missing");
  return false;
}

void BM_BasicTokenize(benchmark::State& state) {
  if (!have_shared(state)) return;
  const auto& texts = abstracts();
  greenbert::WordList words;
  const greenbert::NormalizerOptions options;
  for (auto _ : state) {
    for (const auto& text : texts) {
      words.clear();
      greenbert::basic_tokenize(text, options, words);
      benchmark::DoNotOptimize(words.ends.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * total_bytes(texts));
}
BENCHMARK(BM_BasicTokenize)->Unit(benchmark::kMillisecond);

void BM_Tokenize(benchmark::State& state) {
  if (!have_shared(state)) return;
  const auto& texts = abstracts();
  const auto tokenizer =
      greenbert::BertTokenizer::from_file(kShared / "models/bert-base-uncased-vocab.txt");
  std::vector<int32_t> ids;
  int64_t tokens = 0;
  for (auto _ : state) {
    for (const auto& text : texts) {
      ids.clear();
      tokenizer.tokenize(text, ids);
      tokens += static_cast<int64_t>(ids.size());
    }
  }
  state.SetBytesProcessed(state.iterations() * total_bytes(texts));
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  state.counters["texts"] = static_cast<double>(texts.size());
}
BENCHMARK(BM_Tokenize)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
