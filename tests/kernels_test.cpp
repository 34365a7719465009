// Element-wise and reduction kernels against naive double-precision references; every backward
// against central finite differences of the reference.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>

#include "core/error.h"
#include "kernels/dropout.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/layernorm.h"
#include "kernels/loss.h"
#include "kernels/reduce.h"
#include "kernels/softmax.h"
#include "kernels/vec_math.h"
#include "numeric.h"

namespace greenbert {
namespace {

using testing::all_close;
using testing::gradient_close;
using testing::numeric_gradient;
using testing::random_floats;
using testing::to_double;

double dot(const std::vector<double>& a, std::span<const float> b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

TEST(VecMath, ExpAndErfAreAccurate) {
  double worst_exp = 0, worst_erf = 0;
  for (double x = -80; x <= 80; x += 0.01) {
    float f = static_cast<float>(x);
    worst_exp = std::max(worst_exp, std::abs(vec::exp(f) / std::exp(double(f)) - 1));
  }
  for (double x = -6; x <= 6; x += 0.001) {
    float f = static_cast<float>(x);
    worst_erf = std::max(worst_erf, std::abs(vec::erf(f) - std::erf(double(f))));
  }
  EXPECT_LT(worst_exp, 3e-7);  // ~2 ulp
  EXPECT_LT(worst_erf, 5e-7);  // A&S 7.1.26's 1.5e-7 plus float evaluation
  EXPECT_EQ(vec::exp(-1000.0f) < 1e-37f, true);
}

TEST(VecMath, LaneReductionsMatchDoubleSums) {
  auto x = random_floats(1001, 11), y = random_floats(1001, 12);
  double s = 0, d = 0, q = 0;
  for (size_t i = 0; i < x.size(); ++i)
    s += x[i], d += double(x[i]) * y[i], q += (x[i] - 0.5) * (x[i] - 0.5);
  EXPECT_NEAR(vec::sum(x.data(), 1001), s, 1e-4);
  EXPECT_NEAR(vec::dot(x.data(), y.data(), 1001), d, 1e-4);
  EXPECT_NEAR(vec::squared_deviation(x.data(), 0.5f, 1001), q, 1e-3);
}

// ---- LayerNorm ----
std::vector<double> layernorm_ref(const std::vector<double>& x, const std::vector<double>& w,
                                  const std::vector<double>& b, int64_t rows, int64_t cols,
                                  double eps) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double m = 0, v = 0;
    for (int64_t c = 0; c < cols; ++c) m += x[r * cols + c];
    m /= cols;
    for (int64_t c = 0; c < cols; ++c) v += (x[r * cols + c] - m) * (x[r * cols + c] - m);
    v /= cols;
    for (int64_t c = 0; c < cols; ++c)
      y[r * cols + c] = (x[r * cols + c] - m) / std::sqrt(v + eps) * w[c] + b[c];
  }
  return y;
}

TEST(LayerNorm, ForwardMatchesReference) {
  const int64_t rows = 7, cols = 45;
  auto x = random_floats(rows * cols, 1, -3, 5), w = random_floats(cols, 2),
       b = random_floats(cols, 3);
  std::vector<float> y(rows * cols), mean(rows), rstd(rows);
  layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), rows, cols,
                    1e-5f);
  EXPECT_TRUE(all_close(
      y, layernorm_ref(to_double(x), to_double(w), to_double(b), rows, cols, 1e-5), 1e-5, 1e-5));
}

TEST(LayerNorm, BackwardMatchesFiniteDifferences) {
  const int64_t rows = 5, cols = 37;  // not a multiple of the 16 lanes
  const double eps = 1e-5;
  auto x = random_floats(rows * cols, 4, -2, 2), w = random_floats(cols, 5, 0.5f, 1.5f),
       b = random_floats(cols, 6), dy = random_floats(rows * cols, 7);
  std::vector<float> y(rows * cols), mean(rows), rstd(rows), dx(rows * cols), dw(cols, 0.0f),
      db(cols, 0.0f);
  layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), rows, cols,
                    float(eps));
  layernorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), mean.data(), rstd.data(),
                     w.data(), rows, cols);
  auto xd = to_double(x), wd = to_double(w), bd = to_double(b);
  auto loss_x = [&](const std::vector<double>& v) {
    return dot(layernorm_ref(v, wd, bd, rows, cols, eps), dy);
  };
  auto loss_w = [&](const std::vector<double>& v) {
    return dot(layernorm_ref(xd, v, bd, rows, cols, eps), dy);
  };
  auto loss_b = [&](const std::vector<double>& v) {
    return dot(layernorm_ref(xd, wd, v, rows, cols, eps), dy);
  };
  EXPECT_TRUE(gradient_close(dx, numeric_gradient(loss_x, xd)));
  EXPECT_TRUE(gradient_close(dw, numeric_gradient(loss_w, wd)));
  EXPECT_TRUE(gradient_close(db, numeric_gradient(loss_b, bd)));

  // In place (din aliasing dout), as the model calls it.
  std::vector<float> inplace = dy, dw2(cols, 0.0f), db2(cols, 0.0f);
  layernorm_backward(inplace.data(), dw2.data(), db2.data(), inplace.data(), x.data(), mean.data(),
                     rstd.data(), w.data(), rows, cols);
  EXPECT_EQ(inplace, dx);
  EXPECT_EQ(dw2, dw);
}

// ---- Activations ----
double gelu_ref(double x) {
  return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
}

TEST(Gelu, ForwardAndBackwardMatchReference) {
  auto x = random_floats(2000, 8, -8, 8);
  auto dy = random_floats(2000, 9);
  std::vector<float> y(x.size()), dx(x.size());
  gelu_forward(y.data(), x.data(), int64_t(x.size()));
  gelu_backward(dx.data(), dy.data(), x.data(), int64_t(x.size()));
  std::vector<double> ey(x.size()), edx(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    ey[i] = gelu_ref(x[i]);
    double h = 1e-6;
    edx[i] = dy[i] * (gelu_ref(x[i] + h) - gelu_ref(x[i] - h)) / (2 * h);
  }
  EXPECT_TRUE(all_close(y, ey, 1e-6, 1e-6));
  EXPECT_TRUE(all_close(dx, edx, 1e-5, 1e-6));
}

TEST(Gelu, BiasFusedForwardKeepsPreActivation) {
  const int64_t rows = 6, cols = 21;
  auto x = random_floats(rows * cols, 10, -3, 3), bias = random_floats(cols, 11);
  std::vector<float> pre(rows * cols), out(rows * cols);
  bias_gelu_forward(pre.data(), out.data(), x.data(), bias.data(), rows, cols);
  std::vector<double> epre(rows * cols), eout(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      epre[r * cols + c] = double(x[r * cols + c] + bias[c]);
      eout[r * cols + c] = gelu_ref(epre[r * cols + c]);
    }
  EXPECT_TRUE(all_close(pre, epre, 0, 0));
  EXPECT_TRUE(all_close(out, eout, 1e-6, 1e-6));
}

TEST(TanhRelu, ForwardAndBackwardMatchReference) {
  auto x = random_floats(300, 12, -4, 4), dy = random_floats(300, 13);
  std::vector<float> t(300), dt(300), r(300), dr(300);
  tanh_forward(t.data(), x.data(), 300);
  tanh_backward(dt.data(), dy.data(), t.data(), 300);
  relu_forward(r.data(), x.data(), 300);
  relu_backward(dr.data(), dy.data(), r.data(), 300);
  std::vector<double> et(300), edt(300), er(300), edr(300);
  for (int i = 0; i < 300; ++i) {
    et[i] = std::tanh(double(x[i]));
    edt[i] = dy[i] * (1 - et[i] * et[i]);
    er[i] = std::max(0.0, double(x[i]));
    edr[i] = x[i] > 0 ? dy[i] : 0.0;
  }
  EXPECT_TRUE(all_close(t, et, 1e-6, 1e-7));
  EXPECT_TRUE(all_close(dt, edt, 1e-5, 1e-7));
  EXPECT_TRUE(all_close(r, er, 0, 0));
  EXPECT_TRUE(all_close(dr, edr, 0, 0));
}

// ---- Softmax ----
std::vector<double> softmax_ref(const std::vector<double>& x, int64_t rows, int64_t cols) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double m = -1e300, s = 0;
    for (int64_t c = 0; c < cols; ++c) m = std::max(m, x[r * cols + c]);
    for (int64_t c = 0; c < cols; ++c) s += std::exp(x[r * cols + c] - m);
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = std::exp(x[r * cols + c] - m) / s;
  }
  return y;
}

TEST(Softmax, ForwardAndBackwardMatchReference) {
  const int64_t rows = 9, cols = 23;
  auto x = random_floats(rows * cols, 14, -6, 6), dy = random_floats(rows * cols, 15);
  x[5] = 80.0f;  // large logits must not overflow
  std::vector<float> y(rows * cols), dx(rows * cols);
  softmax_forward(y.data(), x.data(), rows, cols);
  softmax_backward(dx.data(), dy.data(), y.data(), rows, cols);
  auto xd = to_double(x);
  EXPECT_TRUE(all_close(y, softmax_ref(xd, rows, cols), 1e-5, 1e-7));
  auto loss = [&](const std::vector<double>& v) { return dot(softmax_ref(v, rows, cols), dy); };
  EXPECT_TRUE(gradient_close(dx, numeric_gradient(loss, xd)));
}

// ---- Embedding ----
TEST(Embedding, LookupAndDeterministicScatterAdd) {
  const int64_t rows = 6, cols = 150,
                tokens = 400;  // > one 64-column block per thread, and enough work for a team
  auto table = random_floats(rows * cols, 16), dy = random_floats(tokens * cols, 17);
  std::vector<int32_t> ids(tokens);
  for (int64_t t = 0; t < tokens; ++t) ids[t] = int32_t((t * 7) % rows);
  std::vector<float> out(tokens * cols, 3.0f);
  embedding_forward(out.data(), table.data(), ids.data(), tokens, cols, true);
  std::vector<double> eout(tokens * cols), edt(rows * cols, 0.0);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t c = 0; c < cols; ++c) {
      eout[t * cols + c] = 3.0 + table[ids[t] * cols + c];
      if (ids[t] != 2) edt[ids[t] * cols + c] += dy[t * cols + c];
    }
  EXPECT_TRUE(all_close(out, eout, 0, 1e-6));
  std::vector<float> dtable(rows * cols, 0.0f);
  embedding_backward(dtable.data(), dy.data(), ids.data(), tokens, cols, /*skip_id=*/2);
  EXPECT_TRUE(all_close(dtable, edt, 1e-5, 1e-5));  // float sums of ~67 rows
  // Same bits with one thread.
  int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  std::vector<float> single(rows * cols, 0.0f);
  embedding_backward(single.data(), dy.data(), ids.data(), tokens, cols, 2);
  omp_set_num_threads(threads);
  EXPECT_EQ(single, dtable);
}

TEST(BiasBackward, SumsColumns) {
  const int64_t rows = 33, cols = 130;
  auto dy = random_floats(rows * cols, 18);
  std::vector<float> db(cols, 1.0f);
  bias_backward(db.data(), dy.data(), rows, cols);
  std::vector<double> e(cols, 1.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) e[c] += dy[r * cols + c];
  EXPECT_TRUE(all_close(db, e, 1e-6, 1e-6));
}

// ---- Dropout ----
TEST(Dropout, KeepsTheRightFractionAndScales) {
  const int64_t n = 1 << 20;
  std::vector<float> ones(n, 1.0f), out(n);
  DropoutMask mask(42, 7, 0.1f);
  dropout_apply(out.data(), ones.data(), n, mask);
  int64_t kept = 0;
  for (float v : out) {
    ASSERT_TRUE(v == 0.0f || v == 1.0f / 0.9f);
    kept += v != 0.0f;
  }
  // Binomial(n, 0.9): standard deviation ~307; allow 5 sigma.
  EXPECT_NEAR(double(kept), 0.9 * n, 5 * std::sqrt(n * 0.9 * 0.1));
}

TEST(Dropout, MaskIsAPureFunctionOfSeedStreamAndIndex) {
  const int64_t n = 100000;  // enough work for an OpenMP team
  auto x = random_floats(n, 19);
  std::vector<float> a(n), b(n), c(n), d(n), tail(n - 100);
  dropout_apply(a.data(), x.data(), n, DropoutMask(1, 2, 0.5f));
  int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  dropout_apply(b.data(), x.data(), n, DropoutMask(1, 2, 0.5f));
  omp_set_num_threads(threads);
  EXPECT_EQ(a, b);
  dropout_apply(c.data(), x.data(), n, DropoutMask(1, 3, 0.5f));
  dropout_apply(d.data(), x.data(), n, DropoutMask(2, 2, 0.5f));
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  // An offset window sees the same mask elements.
  dropout_apply(tail.data(), x.data() + 100, n - 100, DropoutMask(1, 2, 0.5f), 100);
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), a.begin() + 100));
}

TEST(Dropout, StepSeedsDifferPerStepAndRepeatPerRun) {
  EXPECT_EQ(dropout_seed_for_step(7, 3), dropout_seed_for_step(7, 3));
  EXPECT_NE(dropout_seed_for_step(7, 3), dropout_seed_for_step(7, 4));
  EXPECT_NE(dropout_seed_for_step(7, 3), dropout_seed_for_step(8, 3));
}

TEST(Dropout, EdgeProbabilities) {
  auto x = random_floats(100, 20);
  std::vector<float> out(100);
  dropout_apply(out.data(), x.data(), 100, DropoutMask(1, 1, 0.0f));
  EXPECT_EQ(out, x);
  dropout_apply(out.data(), x.data(), 100, DropoutMask(1, 1, 1.0f));
  for (float v : out) EXPECT_EQ(v, 0.0f);
  EXPECT_THROW(DropoutMask(1, 1, 1.5f), Error);
  EXPECT_THROW(DropoutMask(1, 1, std::nanf("")), Error);
}

// ---- Loss ----
TEST(BceWithLogits, MatchesReferenceAndIsStableForLargeLogits) {
  std::vector<float> logits = {-3.0f, 0.0f, 2.5f, 100.0f, -100.0f, 0.3f};
  std::vector<float> targets = {0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.25f};
  std::vector<float> grad(6);
  float loss = bce_with_logits(logits.data(), targets.data(), 6, grad.data());
  auto ref = [&](const std::vector<double>& x) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      // log σ(x) and log(1 - σ(x)) = log σ(x) - x, written stably
      double log_p = x[i] >= 0 ? -std::log1p(std::exp(-x[i])) : x[i] - std::log1p(std::exp(x[i]));
      double log_q = log_p - x[i];
      s += -(targets[i] * log_p + (1 - targets[i]) * log_q);
    }
    return s / double(x.size());
  };
  auto xd = to_double(logits);
  EXPECT_NEAR(loss, ref(xd), 1e-6);
  EXPECT_TRUE(gradient_close(grad, numeric_gradient(ref, xd), 1e-5));
  std::vector<float> p(6);
  sigmoid(p.data(), logits.data(), 6);
  EXPECT_FLOAT_EQ(p[1], 0.5f);
  EXPECT_FLOAT_EQ(p[3], 1.0f);
  EXPECT_EQ(p[4] >= 0.0f && p[4] < 1e-40f, true);
}

}  // namespace
}  // namespace greenbert

namespace greenbert {
namespace {

TEST(SoftmaxCrossEntropy, MatchesReferenceAndFiniteDifferences) {
  const int64_t rows = 5, classes = 37;
  auto logits = testing::random_floats(rows * classes, 40, -4, 4);
  logits[3] = 60.0f;  // large logit: log-sum-exp must stay finite
  const std::vector<int32_t> targets = {0, 36, 3, 17, 20};
  std::vector<float> row_loss(rows), grad(rows * classes);
  float loss = softmax_cross_entropy(logits.data(), targets.data(), rows, classes, row_loss.data(),
                                     grad.data());
  auto ref = [&](const std::vector<double>& x) {
    double total = 0;
    for (int64_t r = 0; r < rows; ++r) {
      double m = -1e300, s = 0;
      for (int64_t c = 0; c < classes; ++c) m = std::max(m, x[r * classes + c]);
      for (int64_t c = 0; c < classes; ++c) s += std::exp(x[r * classes + c] - m);
      total += std::log(s) + m - x[r * classes + targets[r]];
    }
    return total / double(rows);
  };
  auto xd = testing::to_double(logits);
  EXPECT_NEAR(loss, ref(xd), 1e-5 * ref(xd));
  EXPECT_TRUE(testing::gradient_close(grad, testing::numeric_gradient(ref, xd), 1e-4));
  // In place, as the MLM head calls it.
  std::vector<float> inplace = logits;
  softmax_cross_entropy(inplace.data(), targets.data(), rows, classes, row_loss.data(),
                        inplace.data());
  EXPECT_EQ(inplace, grad);
  const std::vector<int32_t> bad = {0, 37, 0, 0, 0};
  EXPECT_THROW(softmax_cross_entropy(logits.data(), bad.data(), rows, classes, row_loss.data()),
               Error);
}

}  // namespace
}  // namespace greenbert
