// Tokenizer throughput on real abstracts, ONE thread: MB/s of abstract text through basic
// tokenization alone, and through basic + WordPiece (the full tokenize()).
// Needs ../shared (arxiv_data.csv and bert-base-uncased-vocab.txt); run
// build/bench/bench_tokenizer --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "data/paper_reader.h"
#include "text/bert_tokenizer.h"

namespace {

const std::filesystem::path kShared =
    std::filesystem::path(GREENBERT_SOURCE_DIR).parent_path() / "shared";

// The `summaries` column of every paper, as training reads it.
const std::vector<std::string>& abstracts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    for (auto& paper : greenbert::read_papers(kShared / "data/arxiv_data.csv", {}))
      out.push_back(std::move(paper.abstract));
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
