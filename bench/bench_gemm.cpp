// The GEMM wrapper (primitive cache lookup, memory handles, and bf16 conversion of the inputs)
// against raw oneDNN matmul primitives created once, on the Linear-layer shapes of a
// distilbert training step (T = 32 × 150 tokens). For bf16, "raw" gets inputs already in
// bf16, so the difference is the wrapper's per-call conversion. Both use the implementation the
// wrapper picks (kernels/gemm.cpp prefers gemm:jit for fp32).
#include <benchmark/benchmark.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/bf16.h"
#include "kernels/gemm.h"

namespace greenbert {
namespace {

constexpr int64_t kTokens = 4800;

// kind 0: y = x·wᵀ (forward), 1: dx = dy·w, 2: dw += dyᵀ·x
GemmShape shape_of(int kind, int64_t in, int64_t out, Precision precision) {
  GemmShape s;
  if (kind == 0) s.m = kTokens, s.n = out, s.k = in, s.trans_b = true;
  if (kind == 1) s.m = kTokens, s.n = in, s.k = out;
  if (kind == 2) s.m = out, s.n = in, s.k = kTokens, s.trans_a = true, s.accumulate = true;
  s.precision = precision;
  return s;
}

void set_threads() {
  const char* env = std::getenv("GREENBERT_THREADS");
  set_thread_count(env ? std::atoi(env) : 0);
}

void report(benchmark::State& state, const GemmShape& s) {
  state.counters["GFLOPS"] =
      benchmark::Counter(double(2 * s.m * s.n * s.k), benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1000);
}

void wrapper(benchmark::State& state) {
  set_threads();
  GemmShape s = shape_of(int(state.range(0)), state.range(1), state.range(2),
                         state.range(3) ? Precision::bf16 : Precision::fp32);
  std::vector<float> a(s.m * s.k, 0.5f), b(s.k * s.n, 0.25f), c(s.m * s.n);
  gemm(s, a.data(), b.data(), c.data());
  for (auto _ : state) gemm(s, a.data(), b.data(), c.data());
  report(state, s);
  state.SetLabel(gemm_implementation(s));
}

void raw_onednn(benchmark::State& state) {
  set_threads();
  GemmShape s = shape_of(int(state.range(0)), state.range(1), state.range(2),
                         state.range(3) ? Precision::bf16 : Precision::fp32);
  using dnnl::memory;
  auto type = s.precision == Precision::bf16 ? memory::data_type::bf16 : memory::data_type::f32;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  memory::desc a_md = s.trans_a ? memory::desc({s.m, s.k}, type, {1, s.m})
                                : memory::desc({s.m, s.k}, type, {s.k, 1});
  memory::desc b_md = s.trans_b ? memory::desc({s.k, s.n}, type, {1, s.k})
                                : memory::desc({s.k, s.n}, type, {s.n, 1});
  memory::desc c_md({s.m, s.n}, memory::data_type::f32, {s.n, 1});
  dnnl::primitive_attr attr;
  if (s.accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
  // The implementation the wrapper chose (it prefers gemm:jit for fp32), for a like-for-like
  // comparison of the call overhead.
  const std::string wanted = gemm_implementation(s);
  dnnl_primitive_desc_iterator_t it = nullptr;
  dnnl::matmul::desc desc(a_md, b_md, c_md);
  dnnl_primitive_desc_iterator_create(&it, &desc.data, attr.get(), engine.get(), nullptr);
  dnnl_primitive_desc_t chosen = nullptr;
  do {
    dnnl_primitive_desc_t candidate = dnnl_primitive_desc_iterator_fetch(it);
    const char* name = nullptr;
    dnnl_primitive_desc_query(candidate, dnnl_query_impl_info_str, 0, &name);
    if (chosen == nullptr && wanted == name)
      chosen = candidate;
    else
      dnnl_primitive_desc_destroy(candidate);
  } while (chosen == nullptr && dnnl_primitive_desc_iterator_next(it) == dnnl_success);
  dnnl_primitive_desc_iterator_destroy(it);
  if (chosen == nullptr) {
    state.SkipWithError("implementation not available");
    return;
  }
  dnnl::matmul::primitive_desc pd(chosen);
  dnnl::matmul matmul(pd);
  size_t element = s.precision == Precision::bf16 ? 2 : 4;
  std::vector<char> a(s.m * s.k * element), b(s.k * s.n * element);
  std::vector<float> c(s.m * s.n);
  memory am(a_md, engine, a.data()), bm(b_md, engine, b.data()), cm(c_md, engine, c.data());
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
  matmul.execute(stream, args);
  stream.wait();
  for (auto _ : state) {
    matmul.execute(stream, args);
    stream.wait();
  }
  report(state, s);
  state.SetLabel(pd.impl_info_str());
}

// {kind, in, out, bf16}: distilbert's QKV (768→2304), FFN in (768→3072), FFN out (3072→768).
void shapes(benchmark::internal::Benchmark* b) {
  for (int bf16 : {0, 1})
    for (auto [in, out] : {std::pair<int64_t, int64_t>{768, 2304}, {768, 3072}, {3072, 768}})
      for (int kind : {0, 1, 2}) b->Args({kind, in, out, bf16});
  b->ArgNames({"kind", "in", "out", "bf16"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(wrapper)->Apply(shapes);
BENCHMARK(raw_onednn)->Apply(shapes);

}  // namespace
}  // namespace greenbert

BENCHMARK_MAIN();
