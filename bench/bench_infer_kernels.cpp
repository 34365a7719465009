// Inference kernels on BERT-base shapes, one thread: attention of one (sequence, head) of 150
// tokens (f32 portable, bf16 portable, bf16 on AMX), and the fused epilogues on a 128-row block.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "infer/attention.h"
#include "infer/epilogue.h"
#include "kernels/bf16.h"

namespace greenbert {
namespace {

constexpr int64_t kHeads = 12, kHeadDim = 64, kHidden = kHeads * kHeadDim;

std::vector<float> random_values(size_t n, float range) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-range, range);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// state.range(0): 0 f32 portable, 1 bf16 portable, 2 bf16 (AMX when available); range(1): L.
void attention(benchmark::State& state) {
  const int64_t length = state.range(1);
  const AttentionShape g{kHeads, kHeadDim};
  const auto qkv = random_values(size_t(length * 3 * kHidden), 2.0f);
  std::vector<uint16_t> qkv_bf16(qkv.size());
  for (size_t i = 0; i < qkv.size(); ++i) qkv_bf16[i] = to_bf16(qkv[i]);
  std::vector<float> scratch(size_t(attention_scratch_floats(g, length) + 64));
  std::vector<float> ctx(size_t(length * kHidden));
  const int kind = int(state.range(0));
  const void* in = kind == 0 ? static_cast<const void*>(qkv.data()) : qkv_bf16.data();
  const auto precision = kind == 0 ? Precision::fp32 : Precision::bf16;
  for (auto _ : state) {
    if (kind == 2)
      attention_head(ctx.data(), kHidden, in, precision, g, 3, length, 0, length, scratch.data());
    else
      attention_head_portable(ctx.data(), kHidden, in, precision, g, 3, length, 0, length,
                              scratch.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPS"] = benchmark::Counter(4.0 * double(length * length * kHeadDim),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(kind == 2 && attention_uses_amx() ? "amx" : "portable");
}
BENCHMARK(attention)->ArgsProduct({{0, 1, 2}, {32, 150}})->ArgNames({"kind", "L"});

// FFN in epilogue of int8: dequantize + bias + GELU + quantize to u8, 128 rows × 3072.
void epilogue_gelu_u8(benchmark::State& state) {
  const int64_t rows = 128, n = 3072;
  std::vector<int32_t> acc(size_t(rows * n));
  std::mt19937 rng(2);
  for (auto& a : acc) a = int32_t(rng() % 200000) - 100000;
  const std::vector<int32_t> source = acc;
  const auto bias = random_values(size_t(n), 0.1f);
  std::vector<float> scale(size_t(n), 1e-5f);
  std::vector<int32_t> sums(size_t(n), 1000);
  std::vector<RowQuantization> in(rows, RowQuantization{0.02f, 100}), out(rows);
  std::vector<uint8_t> next(size_t(rows * n));
  for (auto _ : state) {
    state.PauseTiming();
    acc = source;
    state.ResumeTiming();
    epilogue_bias_gelu({GemmType::u8s8, next.data(), out.data(), nullptr}, acc.data(),
                       GemmType::u8s8, {scale.data(), sums.data(), in.data()}, bias.data(), rows,
                       n);
  }
  state.counters["values/s"] =
      benchmark::Counter(double(rows * n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(epilogue_gelu_u8);

// Attention output / FFN out epilogue of int8: dequantize + bias + residual + LayerNorm +
// quantize to u8, 128 rows × 768.
void epilogue_layernorm_u8(benchmark::State& state) {
  const int64_t rows = 128, n = 768;
  std::vector<int32_t> acc(size_t(rows * n));
  std::mt19937 rng(3);
  for (auto& a : acc) a = int32_t(rng() % 200000) - 100000;
  const std::vector<int32_t> source = acc;
  const auto bias = random_values(size_t(n), 0.1f);
  auto x = random_values(size_t(rows * n), 1.0f);
  std::vector<float> scale(size_t(n), 1e-5f), gamma(size_t(n), 1.0f), beta(size_t(n), 0.0f);
  std::vector<int32_t> sums(size_t(n), 1000);
  std::vector<RowQuantization> in(rows, RowQuantization{0.02f, 100}), out(rows);
  std::vector<uint8_t> next(size_t(rows * n));
  for (auto _ : state) {
    state.PauseTiming();
    acc = source;
    state.ResumeTiming();
    epilogue_residual_layernorm(x.data(), {GemmType::u8s8, next.data(), out.data(), nullptr},
                                acc.data(), GemmType::u8s8, {scale.data(), sums.data(), in.data()},
                                bias.data(), gamma.data(), beta.data(), 1e-12f, rows, n);
  }
  state.counters["values/s"] =
      benchmark::Counter(double(rows * n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(epilogue_layernorm_u8);

}  // namespace
}  // namespace greenbert

BENCHMARK_MAIN();
