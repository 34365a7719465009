// Reading and preparing the study's real data file (../shared/data/arxiv_data.csv, 95 MB): the
// cost every command pays before it trains or evaluates.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "data/paper_reader.h"
#include "data/split_directory.h"

namespace {

std::filesystem::path real_data() {
  return std::filesystem::path(GREENBERT_SOURCE_DIR).parent_path() / "shared/data/arxiv_data.csv";
}

// Streaming CSV parse, UTF-8 validation, terms parsing: the reader alone.
void BM_ReadPapers(benchmark::State& state) {
  const auto path = real_data();
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("../shared/data/arxiv_data.csv is missing");
    return;
  }
  size_t papers = 0;
  for (auto _ : state) papers = greenbert::read_papers(path, {}).size();
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
  state.counters["papers"] = static_cast<double>(papers);
}
BENCHMARK(BM_ReadPapers)->Unit(benchmark::kMillisecond)->UseRealTime();

// Everything `--data FILE` costs: read, de-duplicate, drop singleton label-sets, split, build
// the label map.
void BM_LoadDataset(benchmark::State& state) {
  const auto path = real_data();
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("../shared/data/arxiv_data.csv is missing");
    return;
  }
  size_t train = 0;
  for (auto _ : state) train = greenbert::load_dataset(path, {}).train.size();
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
  state.counters["train"] = static_cast<double>(train);
}
BENCHMARK(BM_LoadDataset)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
