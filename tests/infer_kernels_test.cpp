// Every kernel of the inference path against a naive double-precision reference, with the
// tolerance its precision allows: per-token quantization, pre-packed GEMMs (f32, bf16, u8s8,
// s8s8), the fused epilogues (dequantization + bias [+ GELU] [+ residual + LayerNorm] + the
// next GEMM's input), and attention (f32, bf16 portable, bf16 on AMX tiles).
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/error.h"
#include "infer/attention.h"
#include "infer/attention_amx.h"
#include "infer/epilogue.h"
#include "infer/packed_gemm.h"
#include "infer/quantization.h"
#include "infer/row_kernels.h"
#include "kernels/bf16.h"
#include "numeric.h"

namespace greenbert {
namespace {

using testing::all_close;
using testing::random_floats;

double gelu_reference(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

TEST(Quantization, ActivationRowsRoundTripWithinHalfAStep) {
  for (ActivationType type : {ActivationType::s8, ActivationType::u8}) {
    // Skewed like GELU outputs: mostly positive with a small negative tail.
    const auto x = random_floats(300, 1, -0.2f, 3.0f);
    std::vector<uint8_t> q(x.size());
    const RowQuantization rq = quantize_activation_row(q.data(), x.data(), int64_t(x.size()), type);
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double code = type == ActivationType::s8 ? double(int8_t(q[i])) : double(q[i]);
      worst = std::max(worst, std::abs(rq.scale * (code - rq.zero_point) - x[i]));
    }
    EXPECT_LE(worst, 0.5 * rq.scale * 1.0001) << activation_type_name(type);
    // u8 uses all its codes on this range (256, or 128 without VNNI), s8 only the positive half.
    const double expected = type == ActivationType::s8 ? 3.0 / 127 : 3.2 / u8_activation_max();
    EXPECT_NEAR(rq.scale, expected, expected * 0.02);
  }
}

TEST(Quantization, ZeroStaysExactAndZeroRowsAreSafe) {
  const std::vector<float> x = {0.0f, 1.5f, -0.25f, 0.0f, 2.0f};
  std::vector<uint8_t> q(x.size());
  const RowQuantization u8 = quantize_activation_row(q.data(), x.data(), 5, ActivationType::u8);
  EXPECT_EQ(q[0], u8.zero_point);
  EXPECT_EQ(q[3], u8.zero_point);
  const std::vector<float> zeros(7, 0.0f);
  std::vector<uint8_t> qz(7);
  const RowQuantization z = quantize_activation_row(qz.data(), zeros.data(), 7, ActivationType::s8);
  EXPECT_EQ(z.scale, 1.0f);
  for (uint8_t v : qz) EXPECT_EQ(v, 0);
}

TEST(Quantization, FixedScalesSaturate) {
  const std::vector<float> x = {-10.0f, 0.5f, 10.0f};
  std::vector<uint8_t> q(3);
  const RowQuantization fixed =
      quantization_for_range(-1.0f, 1.0f, ActivationType::u8, u8_activation_max());
  quantize_activation_row_fixed(q.data(), x.data(), 3, ActivationType::u8, fixed);
  EXPECT_EQ(q[0], 0);
  EXPECT_EQ(q[2], u8_activation_max());
  EXPECT_NEAR(fixed.scale * (q[1] - fixed.zero_point), 0.5, fixed.scale / 2);
}

TEST(Quantization, WeightsPerRowSymmetric) {
  const int64_t rows = 5, cols = 33;
  auto w = random_floats(size_t(rows * cols), 2);
  for (int64_t c = 0; c < cols; ++c) w[size_t(2 * cols + c)] *= 100;  // rows of different scales
  std::vector<int8_t> q(w.size());
  std::vector<float> scales(rows);
  quantize_rows_symmetric(q.data(), scales.data(), w.data(), rows, cols);
  for (int64_t r = 0; r < rows; ++r) {
    float amax = 0;
    for (int64_t c = 0; c < cols; ++c) amax = std::max(amax, std::abs(w[size_t(r * cols + c)]));
    EXPECT_FLOAT_EQ(scales[size_t(r)], amax / 127);
    for (int64_t c = 0; c < cols; ++c)
      EXPECT_LE(std::abs(scales[size_t(r)] * q[size_t(r * cols + c)] - w[size_t(r * cols + c)]),
                scales[size_t(r)] * 0.5001);
  }
  std::vector<int32_t> sums(rows);
  row_sums(sums.data(), q.data(), rows, cols);
  for (int64_t r = 0; r < rows; ++r) {
    int32_t total = 0;
    for (int64_t c = 0; c < cols; ++c) total += q[size_t(r * cols + c)];
    EXPECT_EQ(sums[size_t(r)], total);
  }
}

// The GEMM of every type, blocks of every padded size, on several threads at once.
class PackedGemmTest : public ::testing::TestWithParam<GemmType> {};

TEST_P(PackedGemmTest, MatchesNaiveProduct) {
  const GemmType type = GetParam();
  if (type == GemmType::s8s8 && !int8_gemm_has_vnni()) {
    EXPECT_THROW(GemmPlan(8, 8, type, 16, 1), Error);
    GTEST_SKIP() << "s8 × s8 needs VNNI; without it the session runs s8 models on u8 GEMMs";
  }
  const int64_t n = 48, k = 40, max_rows = 64;
  std::mt19937 rng(3);
  // Every code an activation may take on this CPU (u8 up to 127 without VNNI).
  std::uniform_int_distribution<int> codes(-127, 127), ucodes(0, u8_activation_max());
  // Weights (n, k) and activations (max_rows, k) in the plan's element types, plus their values.
  std::vector<double> w_values(size_t(n * k)), a_values(size_t(max_rows * k));
  std::vector<std::byte> w_bytes(w_values.size() * weight_bytes(type));
  std::vector<std::byte> a_bytes(a_values.size() * activation_bytes(type));
  auto fill = [&](std::vector<double>& values, std::vector<std::byte>& bytes, bool activation) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (type == GemmType::f32 || type == GemmType::bf16) {
        float v = std::uniform_real_distribution<float>(-1, 1)(rng);
        if (type == GemmType::bf16) {
          const uint16_t b = to_bf16(v);
          std::memcpy(bytes.data() + 2 * i, &b, 2);
          v = from_bf16(b);
        } else {
          std::memcpy(bytes.data() + 4 * i, &v, 4);
        }
        values[i] = v;
      } else if (activation && type == GemmType::u8s8) {
        const uint8_t v = uint8_t(ucodes(rng));
        bytes[i] = std::byte(v);
        values[i] = v;
      } else {
        const int8_t v = int8_t(codes(rng));
        std::memcpy(bytes.data() + i, &v, 1);
        values[i] = v;
      }
    }
  };
  fill(w_values, w_bytes, false);
  fill(a_values, a_bytes, true);
  const int threads = 2;
  GemmPlan plan(n, k, type, max_rows, threads);
  const PackedWeights packed = plan.pack(w_bytes.data());
  EXPECT_EQ(std::string(plan.implementation()).find("ref"), std::string::npos)
      << plan.implementation();
  std::vector<std::vector<float>> out(threads, std::vector<float>(size_t(max_rows * n)));
  for (int64_t rows : {1, 15, 16, 17, 40, 64}) {
#pragma omp parallel num_threads(threads)
    {
      omp_set_num_threads(1);
      const int t = omp_get_thread_num();
      plan.multiply(t, a_bytes.data(), packed, out[size_t(t)].data(), rows);
    }
    std::vector<double> expected(size_t(rows * n));
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t i = 0; i < k; ++i)
          acc += a_values[size_t(m * k + i)] * w_values[size_t(j * k + i)];
        expected[size_t(m * n + j)] = acc;
      }
    for (int t = 0; t < threads; ++t) {
      std::vector<float> got(size_t(rows * n));
      if (integer_gemm(type)) {  // int32 accumulators: exact
        const auto* acc = reinterpret_cast<const int32_t*>(out[size_t(t)].data());
        for (size_t i = 0; i < got.size(); ++i) got[i] = float(acc[i]);
        EXPECT_TRUE(all_close(got, expected, 0, 0)) << rows << " rows";
      } else {
        std::copy(out[size_t(t)].begin(), out[size_t(t)].begin() + rows * n, got.begin());
        EXPECT_TRUE(all_close(got, expected, 1e-5, 1e-5)) << rows << " rows";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, PackedGemmTest,
                         ::testing::Values(GemmType::f32, GemmType::bf16, GemmType::u8s8,
                                           GemmType::s8s8),
                         [](const auto& info) { return std::string(gemm_type_name(info.param)); });

// An integer GEMM's output for activations x (rows, k) and weights w (n, k) quantized here,
// with the dequantization that epilogues must apply.
struct QuantizedProduct {
  std::vector<int32_t> acc;  // (rows, n)
  std::vector<float> weight_scale;
  std::vector<int32_t> weight_sums;
  std::vector<RowQuantization> rows;
  std::vector<double> real;  // (rows, n): x·wᵀ in double
};

QuantizedProduct quantized_product(int64_t rows, int64_t n, int64_t k, ActivationType type,
                                   uint32_t seed) {
  const auto x = random_floats(size_t(rows * k), seed, -0.5f, 2.0f);
  const auto w = random_floats(size_t(n * k), seed + 1);
  QuantizedProduct p;
  std::vector<int8_t> wq(w.size());
  p.weight_scale.resize(size_t(n));
  p.weight_sums.resize(size_t(n));
  quantize_rows_symmetric(wq.data(), p.weight_scale.data(), w.data(), n, k);
  row_sums(p.weight_sums.data(), wq.data(), n, k);
  std::vector<uint8_t> xq(x.size());
  for (int64_t m = 0; m < rows; ++m)
    p.rows.push_back(quantize_activation_row(xq.data() + m * k, x.data() + m * k, k, type));
  p.acc.resize(size_t(rows * n));
  p.real.resize(size_t(rows * n));
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t j = 0; j < n; ++j) {
      int32_t acc = 0;
      double real = 0;
      for (int64_t i = 0; i < k; ++i) {
        const int32_t code = type == ActivationType::s8 ? int32_t(int8_t(xq[size_t(m * k + i)]))
                                                        : int32_t(xq[size_t(m * k + i)]);
        acc += code * wq[size_t(j * k + i)];
        real += double(x[size_t(m * k + i)]) * w[size_t(j * k + i)];
      }
      p.acc[size_t(m * n + j)] = acc;
      p.real[size_t(m * n + j)] = real;
    }
  return p;
}

TEST(Epilogue, DequantizationRecoversTheRealProduct) {
  const int64_t rows = 6, n = 20, k = 64;
  for (ActivationType type : {ActivationType::u8, ActivationType::s8}) {
    QuantizedProduct p = quantized_product(rows, n, k, type, 5);
    const auto bias = random_floats(size_t(n), 9);
    std::vector<float> out(size_t(rows * n));
    const std::vector<int32_t> acc = p.acc;  // the epilogue turns c into floats in place
    epilogue_bias(out.data(), false, n, p.acc.data(),
                  type == ActivationType::u8 ? GemmType::u8s8 : GemmType::s8s8,
                  {p.weight_scale.data(), p.weight_sums.data(), p.rows.data()}, bias.data(), rows,
                  n);
    // Exact dequantization of the integer product: the error left is the quantization's, a
    // fraction of a step of x times Σ|w| (here |w| < 1, k = 64: < 2% of the product's range).
    std::vector<double> expected = p.real;
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t j = 0; j < n; ++j) expected[size_t(m * n + j)] += bias[size_t(j)];
    EXPECT_TRUE(all_close(out, expected, 0, 0.25)) << activation_type_name(type);
    // And it is exactly the algebra of infer/quantization.h, up to float rounding.
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t j = 0; j < n; ++j) {
        const double exact = double(p.rows[size_t(m)].scale) * p.weight_scale[size_t(j)] *
                                 (acc[size_t(m * n + j)] -
                                  double(p.rows[size_t(m)].zero_point) * p.weight_sums[size_t(j)]) +
                             bias[size_t(j)];
        EXPECT_NEAR(out[size_t(m * n + j)], exact, 1e-5 * (1 + std::abs(exact)));
      }
  }
}

TEST(Epilogue, GeluThenNextInput) {
  const int64_t rows = 3, n = 50;
  auto c = random_floats(size_t(rows * n), 6, -4, 4);
  const auto bias = random_floats(size_t(n), 7);
  std::vector<double> expected(c.size());
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t j = 0; j < n; ++j)
      expected[size_t(m * n + j)] = gelu_reference(double(c[size_t(m * n + j)]) + bias[size_t(j)]);
  // f32 in place, bf16 and u8 into the next input.
  {
    auto cc = c;
    epilogue_bias_gelu({GemmType::f32, cc.data(), nullptr, nullptr}, cc.data(), GemmType::f32, {},
                       bias.data(), rows, n);
    EXPECT_TRUE(all_close(cc, expected, 1e-5, 1e-6));
  }
  {
    auto cc = c;
    std::vector<uint16_t> next(size_t(rows * n));
    epilogue_bias_gelu({GemmType::bf16, next.data(), nullptr, nullptr}, cc.data(), GemmType::f32,
                       {}, bias.data(), rows, n);
    std::vector<float> got(next.size());
    for (size_t i = 0; i < got.size(); ++i) got[i] = from_bf16(next[i]);
    EXPECT_TRUE(all_close(got, expected, 1.0 / 256, 1e-6));  // bf16: 8 significant bits
  }
  {
    auto cc = c;
    std::vector<uint8_t> next(size_t(rows * n));
    std::vector<RowQuantization> q(rows);
    epilogue_bias_gelu({GemmType::u8s8, next.data(), q.data(), nullptr}, cc.data(), GemmType::f32,
                       {}, bias.data(), rows, n);
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t j = 0; j < n; ++j)
        EXPECT_NEAR(q[size_t(m)].scale * (next[size_t(m * n + j)] - q[size_t(m)].zero_point),
                    expected[size_t(m * n + j)], q[size_t(m)].scale * 0.5001 + 1e-6);
  }
}

TEST(Epilogue, ResidualLayerNormWritesTheStreamAndTheNextInput) {
  const int64_t rows = 4, n = 96;
  const float eps = 1e-12f;
  auto c = random_floats(size_t(rows * n), 8, -2, 2);
  auto x = random_floats(size_t(rows * n), 9, -2, 2);
  const auto bias = random_floats(size_t(n), 10);
  const auto gamma = random_floats(size_t(n), 11, 0.5, 1.5);
  const auto beta = random_floats(size_t(n), 12);
  std::vector<double> expected(x.size());
  for (int64_t m = 0; m < rows; ++m) {
    std::vector<double> v(static_cast<size_t>(n));
    double mean = 0, var = 0;
    for (int64_t j = 0; j < n; ++j) {
      v[size_t(j)] = double(c[size_t(m * n + j)]) + bias[size_t(j)] + x[size_t(m * n + j)];
      mean += v[size_t(j)] / double(n);
    }
    for (double e : v) var += (e - mean) * (e - mean) / double(n);
    for (int64_t j = 0; j < n; ++j)
      expected[size_t(m * n + j)] =
          (v[size_t(j)] - mean) / std::sqrt(var + eps) * gamma[size_t(j)] + beta[size_t(j)];
  }
  std::vector<int8_t> next(x.size());
  std::vector<RowQuantization> q(rows);
  epilogue_residual_layernorm(x.data(), {GemmType::s8s8, next.data(), q.data(), nullptr}, c.data(),
                              GemmType::f32, {}, bias.data(), gamma.data(), beta.data(), eps, rows,
                              n);
  EXPECT_TRUE(all_close(x, expected, 1e-5, 1e-5));
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t j = 0; j < n; ++j)
      EXPECT_NEAR(q[size_t(m)].scale * next[size_t(m * n + j)], x[size_t(m * n + j)],
                  q[size_t(m)].scale * 0.5001);
}

// Attention of one head in double: softmax(q·kᵀ/sqrt(D))·v over `length` rows of qkv (3C per
// row), for the query rows [first, first + queries); with bf16, the exponentials rounded as the
// kernels do.
std::vector<double> attention_reference(const std::vector<float>& qkv, int64_t C, int64_t D,
                                        int64_t head, int64_t length, int64_t first,
                                        int64_t queries, bool bf16) {
  std::vector<double> out(size_t(queries * D));
  for (int64_t o = 0; o < queries; ++o) {
    const int64_t i = first + o;
    std::vector<double> s(static_cast<size_t>(length));
    double m = -1e300, sum = 0;
    for (int64_t j = 0; j < length; ++j) {
      double dot = 0;
      for (int64_t e = 0; e < D; ++e)
        dot += double(qkv[size_t(i * 3 * C + head * D + e)]) *
               qkv[size_t(j * 3 * C + C + head * D + e)];
      s[size_t(j)] = dot / std::sqrt(double(D));
      m = std::max(m, s[size_t(j)]);
    }
    for (double& v : s) sum += (v = std::exp(v - m));
    // bf16: the exponentials are rounded, the sum is not.
    for (double& v : s) v = bf16 ? round_to_bf16(float(v)) : v;
    for (int64_t e = 0; e < D; ++e) {
      double acc = 0;
      for (int64_t j = 0; j < length; ++j)
        acc += s[size_t(j)] * qkv[size_t(j * 3 * C + 2 * C + head * D + e)];
      out[size_t(o * D + e)] = acc / sum;
    }
  }
  return out;
}

struct AttentionCase {
  int64_t heads, head_dim, length, first_query, queries;
};

class AttentionTest : public ::testing::TestWithParam<AttentionCase> {};

TEST_P(AttentionTest, MatchesReference) {
  const AttentionCase a = GetParam();
  const AttentionShape g{a.heads, a.head_dim};
  const int64_t C = g.hidden();
  auto qkv = random_floats(size_t(a.length * 3 * C), 21, -2, 2);
  std::vector<uint16_t> qkv_bf16(qkv.size());
  std::vector<float> qkv_rounded(qkv.size());
  for (size_t i = 0; i < qkv.size(); ++i) {
    qkv_bf16[i] = to_bf16(qkv[i]);
    qkv_rounded[i] = from_bf16(qkv_bf16[i]);
  }
  std::vector<float> scratch(size_t(attention_scratch_floats(g, a.length) + 64));
  const int64_t head = a.heads - 1;
  const int64_t ldc = C + 3;  // a row stride that is not the head size
  std::vector<float> ctx(size_t(a.queries * ldc));
  auto head_values = [&]() {
    std::vector<float> v;
    for (int64_t i = 0; i < a.queries; ++i)
      v.insert(v.end(), ctx.begin() + i * ldc, ctx.begin() + i * ldc + a.head_dim);
    return v;
  };

  attention_head(ctx.data(), ldc, qkv.data(), Precision::fp32, g, head, a.length, a.first_query,
                 a.queries, scratch.data());
  EXPECT_TRUE(all_close(
      head_values(),
      attention_reference(qkv, C, a.head_dim, head, a.length, a.first_query, a.queries, false),
      1e-5, 1e-5));

  const auto bf16_expected = attention_reference(qkv_rounded, C, a.head_dim, head, a.length,
                                                 a.first_query, a.queries, true);
  attention_head_portable(ctx.data(), ldc, qkv_bf16.data(), Precision::bf16, g, head, a.length,
                          a.first_query, a.queries, scratch.data());
  // Exponentials within one bf16 rounding of the reference's (ties may round apart).
  const auto portable = head_values();
  EXPECT_TRUE(all_close(portable, bf16_expected, 1e-2, 2e-3));
  if (!attention_uses_amx()) GTEST_SKIP() << "no AMX here: only the portable bf16 path ran";
  attention_head(ctx.data(), ldc, qkv_bf16.data(), Precision::bf16, g, head, a.length,
                 a.first_query, a.queries, scratch.data());
  // The portable path's rounding, but scores scaled inside an FMA and f32 sums in another order:
  // an exponential may round to the neighbouring bf16 value.
  EXPECT_TRUE(all_close(head_values(), bf16_expected, 1e-2, 2e-3));
  EXPECT_TRUE(all_close(head_values(), portable, 2e-2, 1e-3));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AttentionTest,
    ::testing::Values(AttentionCase{1, 64, 1, 0, 1}, AttentionCase{2, 64, 17, 0, 17},
                      AttentionCase{12, 64, 150, 0, 150}, AttentionCase{12, 64, 150, 0, 1},
                      AttentionCase{12, 64, 150, 75, 75}, AttentionCase{2, 64, 40, 13, 19},
                      AttentionCase{4, 16, 33, 0, 33}, AttentionCase{3, 26, 70, 69, 1},
                      AttentionCase{2, 8, 5, 0, 1}));

}  // namespace
}  // namespace greenbert

namespace greenbert {
namespace {

// The hand-written AVX-512 row kernels against the portable ones, on lengths with tails.
TEST(RowKernels, Avx512AgreesWithPortable) {
  const RowKernels* fast = avx512_row_kernels();
  if (fast == nullptr) GTEST_SKIP() << "no AVX-512 here";
  const RowKernels& slow = portable_row_kernels();
  for (int64_t n : {1, 15, 16, 37, 768}) {
    const auto x = random_floats(size_t(n), uint32_t(n), -6, 6);
    const auto bias = random_floats(size_t(n), 2), residual = random_floats(size_t(n), 3);
    const auto gamma = random_floats(size_t(n), 4, 0.5, 1.5), beta = random_floats(size_t(n), 5);
    std::vector<int32_t> acc(static_cast<size_t>(n)), sums(static_cast<size_t>(n));
    std::vector<float> scales(static_cast<size_t>(n));
    std::mt19937 rng(6);
    for (int64_t i = 0; i < n; ++i) {
      acc[size_t(i)] = int32_t(rng() % 2000000) - 1000000;
      sums[size_t(i)] = int32_t(rng() % 20000) - 10000;
      scales[size_t(i)] = 1e-3f * float(1 + rng() % 100);
    }
    const RowQuantization row{0.01f, 77};
    const Dequantization dq{scales.data(), sums.data(), &row};
    for (GemmType type : {GemmType::u8s8, GemmType::f32}) {
      std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
      if (type == GemmType::f32) {
        a = x, b = x;
      } else {
        std::memcpy(a.data(), acc.data(), size_t(n) * 4);
        std::memcpy(b.data(), acc.data(), size_t(n) * 4);
      }
      fast->dequantize(a.data(), type, dq, 0, bias.data(), residual.data(), n);
      slow.dequantize(b.data(), type, dq, 0, bias.data(), residual.data(), n);
      EXPECT_TRUE(all_close(a, b, 1e-6, 1e-5)) << n;
    }
    {
      auto a = x, b = x;
      float alo, ahi, blo, bhi;
      fast->gelu(a.data(), n, alo, ahi);
      slow.gelu(b.data(), n, blo, bhi);
      EXPECT_TRUE(all_close(a, b, 1e-6, 1e-6)) << n;
      EXPECT_NEAR(alo, blo, 1e-6);
      EXPECT_NEAR(ahi, bhi, 1e-5);
      fast->layernorm(a.data(), x.data(), gamma.data(), beta.data(), n, 1e-12f, alo, ahi);
      slow.layernorm(b.data(), x.data(), gamma.data(), beta.data(), n, 1e-12f, blo, bhi);
      EXPECT_TRUE(all_close(a, b, 1e-5, 1e-5)) << n;
      fast->min_max(x.data(), n, alo, ahi);
      slow.min_max(x.data(), n, blo, bhi);
      EXPECT_EQ(alo, blo);
      EXPECT_EQ(ahi, bhi);
    }
    {
      std::vector<uint16_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
      fast->to_bf16(a.data(), x.data(), n);
      slow.to_bf16(b.data(), x.data(), n);
      EXPECT_EQ(a, b);
    }
    for (ActivationType type : {ActivationType::u8, ActivationType::s8}) {
      const RowQuantization q = quantization_for_range(-6, 6, type, u8_activation_max());
      std::vector<uint8_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
      fast->quantize(a.data(), x.data(), n, type, q);
      slow.quantize(b.data(), x.data(), n, type, q);
      EXPECT_EQ(a, b) << activation_type_name(type);
    }
  }
}

}  // namespace
}  // namespace greenbert
