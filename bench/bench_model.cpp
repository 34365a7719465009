// Training-step throughput of the engine: forward + backward (+ clip + AdamW) on random
// weights, batch 32 × 150 tokens (packed, no padding), for the bert-tiny, tinybert and
// distilbert shapes, with fp32 and bf16 GEMMs. items/s = sequences per second.
//
//   build/bench/bench_model [--benchmark_filter=distilbert] (threads: GREENBERT_THREADS, default
//   the physical cores)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>

#include "core/error.h"
#include "core/system_info.h"
#include "core/threads.h"
#include "kernels/dropout.h"
#include "kernels/loss.h"
#include "model/bert.h"
#include "model/optimizer.h"

namespace greenbert {
namespace {

constexpr int64_t kBatch = 32, kLength = 150, kLabels = 152;

struct Setup {
  BertConfig config;
  ParameterBuffer params;
  ParameterBuffer grads;
  AdamWState adam;
  TokenBatch batch;
  Activations acts;
  std::vector<float> logits, dlogits, targets;

  explicit Setup(const char* preset)
      : config(make_config(preset)),
        params(make_parameters(config)),
        grads(ParameterBuffer::zeros_like(params)),
        adam(params),
        batch(make_batch(config)),
        acts(config, {batch.tokens(), kBatch, kLength}),
        logits(kBatch * kLabels),
        dlogits(kBatch * kLabels),
        targets(kBatch * kLabels) {
    initialize_parameters(params, config, 1);
    for (size_t i = 0; i < targets.size(); i += 37) targets[i] = 1.0f;
  }

  static BertConfig make_config(const char* preset) {
    BertConfig c = preset_config(preset);
    c.labels.clear();
    for (int64_t i = 0; i < kLabels; ++i) c.labels.push_back(cat("l", i));
    return c;
  }
  static TokenBatch make_batch(const BertConfig& c) {
    std::mt19937 rng(3);
    std::uniform_int_distribution<int32_t> token(1000, int32_t(c.vocab_size - 1));
    TokenBatch b;
    std::vector<int32_t> ids(kLength);
    for (int64_t s = 0; s < kBatch; ++s) {
      for (int32_t& id : ids) id = token(rng);
      ids.front() = 101, ids.back() = 102;
      b.add_sequence(ids);
    }
    return b;
  }

  void step(Precision precision, uint64_t seed, bool optimizer) {
    grads.zero();
    forward(config, params, batch, {true, seed, precision}, acts, logits);
    bce_with_logits(logits.data(), targets.data(), kBatch * kLabels, dlogits.data());
    backward(config, params, batch, acts, dlogits, grads);
    if (optimizer) {
      clip_gradients(grads, 1.0f);
      AdamWHyper hyper;
      hyper.lr = 1e-5f, hyper.weight_decay = 0.01f;
      adamw_step(params, grads, adam, hyper);
    }
  }
};

int threads() {
  const char* env = std::getenv("GREENBERT_THREADS");
  return set_thread_count(env ? std::atoi(env) : 0);
}

void train_step(benchmark::State& state, const char* preset, Precision precision, bool optimizer) {
  int used = threads();
  Setup setup(preset);
  setup.step(precision, 0, optimizer);  // creates the GEMM primitives
  uint64_t step = 1;
  for (auto _ : state) setup.step(precision, dropout_seed_for_step(1, step++), optimizer);
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["threads"] = used;
  state.counters["tokens"] = double(setup.batch.tokens());
  state.counters["activations_MiB"] = double(setup.acts.bytes()) / (1 << 20);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

#define TRAIN_BENCH(name, preset, iterations)                                             \
  BENCHMARK_CAPTURE(train_step, name##_fp32_fwd_bwd, preset, Precision::fp32, false)      \
      ->Unit(benchmark::kMillisecond)                                                     \
      ->UseRealTime()                                                                     \
      ->Iterations(iterations);                                                           \
  BENCHMARK_CAPTURE(train_step, name##_bf16_fwd_bwd, preset, Precision::bf16, false)      \
      ->Unit(benchmark::kMillisecond)                                                     \
      ->UseRealTime()                                                                     \
      ->Iterations(iterations);                                                           \
  BENCHMARK_CAPTURE(train_step, name##_fp32_fwd_bwd_adamw, preset, Precision::fp32, true) \
      ->Unit(benchmark::kMillisecond)                                                     \
      ->UseRealTime()                                                                     \
      ->Iterations(iterations);                                                           \
  BENCHMARK_CAPTURE(train_step, name##_bf16_fwd_bwd_adamw, preset, Precision::bf16, true) \
      ->Unit(benchmark::kMillisecond)                                                     \
      ->UseRealTime()                                                                     \
      ->Iterations(iterations)

TRAIN_BENCH(bert_tiny, "bert-tiny", 20);
TRAIN_BENCH(tinybert, "tinybert", 5);
TRAIN_BENCH(distilbert, "distilbert", 3);

}  // namespace
}  // namespace greenbert

BENCHMARK_MAIN();
