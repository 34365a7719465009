// Element-wise kernels on training-step sizes (T = 32 × 150 tokens): values per second.
// Threads: GREENBERT_THREADS (default: physical cores).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "core/threads.h"
#include "kernels/dropout.h"
#include "kernels/elementwise.h"
#include "kernels/layernorm.h"
#include "kernels/softmax.h"

namespace greenbert {
namespace {

constexpr int64_t kTokens = 4800;

void set_threads() {
  const char* env = std::getenv("GREENBERT_THREADS");
  set_thread_count(env ? std::atoi(env) : 0);
}

std::vector<float> ramp(int64_t n) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = float(i % 1000) * 0.01f - 5.0f;
  return v;
}

void BM_GeluForward(benchmark::State& state) {
  set_threads();
  const int64_t n = kTokens * state.range(0);
  auto x = ramp(n);
  std::vector<float> y(n);
  for (auto _ : state) gelu_forward(y.data(), x.data(), n);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_GeluForward)->Arg(512)->Arg(3072)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GeluBackward(benchmark::State& state) {
  set_threads();
  const int64_t n = kTokens * state.range(0);
  auto x = ramp(n), dy = ramp(n);
  std::vector<float> dx(n);
  for (auto _ : state) gelu_backward(dx.data(), dy.data(), x.data(), n);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_GeluBackward)->Arg(512)->Arg(3072)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Dropout(benchmark::State& state) {
  set_threads();
  const int64_t n = kTokens * state.range(0);
  auto x = ramp(n);
  std::vector<float> y(n);
  DropoutMask mask(1, 2, 0.1f);
  for (auto _ : state) dropout_apply(y.data(), x.data(), n, mask);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Dropout)->Arg(768)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SoftmaxForward(benchmark::State& state) {
  set_threads();
  const int64_t cols = state.range(0), rows = 12 * 32 * cols;  // 32 sequences × 12 heads
  auto x = ramp(rows * cols);
  std::vector<float> y(rows * cols);
  for (auto _ : state) softmax_forward(y.data(), x.data(), rows, cols);
  state.SetItemsProcessed(state.iterations() * rows * cols);
}
BENCHMARK(BM_SoftmaxForward)->Arg(150)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LayerNorm(benchmark::State& state) {
  set_threads();
  const int64_t cols = state.range(0), rows = kTokens;
  auto x = ramp(rows * cols), w = ramp(cols), b = ramp(cols);
  std::vector<float> y(rows * cols), mean(rows), rstd(rows), dx(rows * cols), dw(cols), db(cols);
  for (auto _ : state) {
    layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), rows, cols,
                      1e-12f);
    layernorm_backward(dx.data(), dw.data(), db.data(), y.data(), x.data(), mean.data(),
                       rstd.data(), w.data(), rows, cols);
  }
  state.SetItemsProcessed(state.iterations() * rows * cols);
}
BENCHMARK(BM_LayerNorm)->Arg(768)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace greenbert

BENCHMARK_MAIN();
