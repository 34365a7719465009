// GEMM wrapper against a naive double-precision product, over transposes, strides,
// alpha, accumulation, bias, and bf16 inputs.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "kernels/bf16.h"
#include "kernels/gemm.h"
#include "numeric.h"

namespace greenbert {
namespace {

using testing::all_close;
using testing::random_floats;

struct Stored {
  int64_t rows, cols, ld;
};
Stored stored_a(const GemmShape& s) {
  int64_t rows = s.trans_a ? s.k : s.m, cols = s.trans_a ? s.m : s.k;
  return {rows, cols, s.lda ? s.lda : cols};
}
Stored stored_b(const GemmShape& s) {
  int64_t rows = s.trans_b ? s.n : s.k, cols = s.trans_b ? s.k : s.n;
  return {rows, cols, s.ldb ? s.ldb : cols};
}
Stored stored_c(const GemmShape& s) {
  return {s.m, s.n, s.ldc ? s.ldc : s.n};
}
int64_t extent(const Stored& o) {
  return (o.rows - 1) * o.ld + o.cols;
}

// Expected C over its whole extent: untouched gaps keep their initial values.
std::vector<double> naive_gemm(const GemmShape& s, const std::vector<float>& a,
                               const std::vector<float>& b, const std::vector<float>& c0,
                               const std::vector<float>& bias) {
  Stored A = stored_a(s), B = stored_b(s), C = stored_c(s);
  auto in = [&](float v) {
    return static_cast<double>(s.precision == Precision::bf16 ? round_to_bf16(v) : v);
  };
  std::vector<double> c(c0.begin(), c0.end());
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t j = 0; j < s.n; ++j) {
      double sum = 0;
      for (int64_t l = 0; l < s.k; ++l) {
        double av = in(s.trans_a ? a[l * A.ld + i] : a[i * A.ld + l]);
        double bv = in(s.trans_b ? b[j * B.ld + l] : b[l * B.ld + j]);
        sum += av * bv;
      }
      double& out = c[i * C.ld + j];
      out = s.alpha * sum + (s.bias ? bias[j] : 0.0) + (s.accumulate ? out : 0.0);
    }
  return c;
}

void check(const GemmShape& s, double rtol, double atol) {
  auto a = random_floats(extent(stored_a(s)), 1);
  auto b = random_floats(extent(stored_b(s)), 2);
  auto c = random_floats(extent(stored_c(s)), 3);
  auto bias = random_floats(s.n, 4);
  std::vector<double> expected = naive_gemm(s, a, b, c, bias);
  gemm(s, a.data(), b.data(), c.data(), s.bias ? bias.data() : nullptr);
  EXPECT_TRUE(all_close(c, expected, rtol, atol))
      << "m=" << s.m << " n=" << s.n << " k=" << s.k << " ta=" << s.trans_a << " tb=" << s.trans_b
      << " " << precision_name(s.precision);
}

TEST(Gemm, MatchesNaiveProductForEveryLayoutVariant) {
  for (Precision precision : {Precision::fp32, Precision::bf16})
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (bool accumulate : {false, true}) {
          GemmShape s;
          s.m = 37, s.n = 29, s.k = 53, s.trans_a = ta, s.trans_b = tb;
          s.accumulate = accumulate, s.bias = !accumulate, s.alpha = accumulate ? 0.5f : 1.0f;
          s.precision = precision;
          // bf16 rounds the inputs (done in the reference too); accumulation stays fp32.
          check(s, 1e-5, 1e-5);
        }
}

TEST(Gemm, StridedOperandsAsAttentionUsesThem) {
  // Q·Kᵀ of one head in a packed (L, 3C) buffer: rows 3C apart; a strided output too.
  const int64_t C = 24, D = 8, L = 11;
  for (Precision precision : {Precision::fp32, Precision::bf16}) {
    GemmShape s;
    s.m = L, s.n = L, s.k = D, s.trans_b = true, s.lda = 3 * C, s.ldb = 3 * C, s.alpha = 0.25f;
    s.precision = precision;
    check(s, 1e-5, 1e-6);
    // P·V written into a (L, C) context buffer with heads side by side.
    GemmShape pv;
    pv.m = L, pv.n = D, pv.k = L, pv.ldb = 3 * C, pv.ldc = C, pv.precision = precision;
    check(pv, 1e-5, 1e-6);
    // dK = dSᵀ·Q with a transposed dense A and a strided B and C.
    GemmShape dk;
    dk.m = L, dk.n = D, dk.k = L, dk.trans_a = true, dk.ldb = 3 * C, dk.ldc = 3 * C;
    dk.precision = precision;
    check(dk, 1e-5, 1e-6);
  }
}

// The Linear products run on one primitive per layer whatever the token count (a runtime
// dimension): several row counts, in both precisions, through the same cached primitives.
TEST(Gemm, LinearLayerProductsForAnyRowCount) {
  for (Precision precision : {Precision::fp32, Precision::bf16})
    for (int64_t rows : {19, 1, 64, 19}) {
      const int64_t in = 24, out = 40;
      auto x = random_floats(rows * in, 5), w = random_floats(out * in, 6),
           bias = random_floats(out, 7);
      auto dy = random_floats(rows * out, 8);
      std::vector<float> y(rows * out), dx(rows * in, 0.5f), dw(out * in, 0.25f);
      linear_forward(y.data(), x.data(), w.data(), bias.data(), rows, in, out, precision);
      linear_backward_input(dx.data(), dy.data(), w.data(), rows, in, out, true, precision);
      linear_backward_weight(dw.data(), dy.data(), x.data(), rows, in, out, precision);
      auto in_value = [&](float v) {
        return static_cast<double>(precision == Precision::bf16 ? round_to_bf16(v) : v);
      };
      std::vector<double> ey(rows * out), edx(rows * in, 0.5), edw(out * in, 0.25);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
          double sum = bias[o];
          for (int64_t i = 0; i < in; ++i) sum += in_value(x[r * in + i]) * in_value(w[o * in + i]);
          ey[r * out + o] = sum;
          for (int64_t i = 0; i < in; ++i) {
            edx[r * in + i] += in_value(dy[r * out + o]) * in_value(w[o * in + i]);
            edw[o * in + i] += in_value(dy[r * out + o]) * in_value(x[r * in + i]);
          }
        }
      EXPECT_TRUE(all_close(y, ey, 1e-5, 1e-5)) << rows << " " << precision_name(precision);
      EXPECT_TRUE(all_close(dx, edx, 1e-5, 1e-5)) << rows << " " << precision_name(precision);
      EXPECT_TRUE(all_close(dw, edw, 1e-5, 1e-5)) << rows << " " << precision_name(precision);
    }
}

TEST(Gemm, RuntimeDimensionsRefuseVaryingLeadingDimensions) {
  GemmShape s;
  s.m = 8, s.n = 4, s.k = 6, s.runtime_k = true;  // A (m, k) dense: its row stride is k
  std::vector<float> a(48), b(24), c(32);
  EXPECT_THROW(gemm(s, a.data(), b.data(), c.data()), Error);
  s.runtime_k = false, s.runtime_m = true, s.trans_a = true;  // A stored (k, m): stride m
  EXPECT_THROW(gemm(s, a.data(), b.data(), c.data()), Error);
}

TEST(Gemm, LinearLayerProducts) {
  const int64_t rows = 19, in = 24, out = 40;
  auto x = random_floats(rows * in, 5), w = random_floats(out * in, 6),
       bias = random_floats(out, 7);
  auto dy = random_floats(rows * out, 8);
  std::vector<float> y(rows * out), dx(rows * in, 0.5f), dw(out * in, 0.25f);
  linear_forward(y.data(), x.data(), w.data(), bias.data(), rows, in, out);
  linear_backward_input(dx.data(), dy.data(), w.data(), rows, in, out, true);
  linear_backward_weight(dw.data(), dy.data(), x.data(), rows, in, out);
  std::vector<double> ey(rows * out), edx(rows * in, 0.5), edw(out * in, 0.25);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double sum = bias[o];
      for (int64_t i = 0; i < in; ++i) sum += double(x[r * in + i]) * w[o * in + i];
      ey[r * out + o] = sum;
      for (int64_t i = 0; i < in; ++i) {
        edx[r * in + i] += double(dy[r * out + o]) * w[o * in + i];
        edw[o * in + i] += double(dy[r * out + o]) * x[r * in + i];
      }
    }
  EXPECT_TRUE(all_close(y, ey, 1e-5, 1e-6));
  EXPECT_TRUE(all_close(dx, edx, 1e-5, 1e-6));
  EXPECT_TRUE(all_close(dw, edw, 1e-5, 1e-6));
}

TEST(Gemm, BertShapesUseOptimisedKernelsNotReferenceCode) {
  GemmShape s;
  s.m = 4800, s.n = 2304, s.k = 768, s.trans_b = true, s.bias = true;
  for (Precision precision : {Precision::fp32, Precision::bf16})
    for (bool runtime : {false, true}) {  // runtime: as linear_forward runs it
      s.precision = precision, s.runtime_m = runtime;
      std::string impl = gemm_implementation(s);
      EXPECT_EQ(impl.find("ref"), std::string::npos) << impl;
    }
}

TEST(Gemm, PrecisionNamesRoundTrip) {
  EXPECT_EQ(parse_precision("bf16"), Precision::bf16);
  EXPECT_EQ(parse_precision(precision_name(Precision::fp32)), Precision::fp32);
  EXPECT_THROW(parse_precision("int4"), Error);
}

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(round_to_bf16(1.0f), 1.0f);
  // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to even (1).
  EXPECT_EQ(round_to_bf16(1.0f + 1.0f / 256), 1.0f);
  EXPECT_EQ(round_to_bf16(1.0f + 3.0f / 256), 1.0f + 4.0f / 256);
  EXPECT_TRUE(std::isnan(round_to_bf16(std::nanf(""))));
}

}  // namespace
}  // namespace greenbert
