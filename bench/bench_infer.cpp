// The inference session on preset shapes with random weights: one batch of `batch` sequences
// of 150 tokens per iteration, per precision. Reports sequences/s and the GEMMs' achieved rate.
// GREENBERT_THREADS sets the thread count (default: physical cores), GREENBERT_BLOCK_ROWS the
// rows per GEMM call.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "infer/session.h"
#include "model/parameters.h"

namespace greenbert {
namespace {

const char* const kPresets[] = {"bert-tiny", "distilbert", "bert-base"};

void session_batch(benchmark::State& state) {
  BertConfig config = preset_config(kPresets[state.range(0)]);
  ParameterBuffer params = make_parameters(config);
  initialize_parameters(params, config, 1);
  SessionOptions options;
  options.precision = static_cast<Precision>(state.range(1));
  const char* threads = std::getenv("GREENBERT_THREADS");
  options.threads = threads ? std::atoi(threads) : 0;
  if (const char* rows = std::getenv("GREENBERT_BLOCK_ROWS")) options.block_rows = std::atoi(rows);
  InferenceSession session = InferenceSession::from_parameters(config, params, options);
  TokenBatch batch;
  std::vector<int32_t> ids(150);
  for (int64_t s = 0; s < state.range(2); ++s) {
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t((i * 7919 + s * 104729) % 30000);
    batch.add_sequence(ids);
  }
  std::vector<float> logits(size_t(batch.sequences() * config.num_labels()));
  session.run(batch, logits);
  session.reset_stats();
  for (auto _ : state) session.run(batch, logits);
  const SessionStats stats = session.stats();
  state.counters["seq/s"] =
      benchmark::Counter(double(batch.sequences()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["gemm_Gops"] = stats.gemm_ops / stats.gemm_seconds / 1e9;

  state.SetLabel(session.gemm_implementation());
}

BENCHMARK(session_batch)
    ->ArgsProduct({{0, 1, 2}, {0, 1, 2}, {1, 16}})
    ->ArgNames({"model", "precision", "batch"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace greenbert

BENCHMARK_MAIN();
