// AdamW and gradient clipping against a double-precision transcription of torch.optim.AdamW and
// torch.nn.utils.clip_grad_norm_.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>

#include "kernels/adamw.h"
#include "numeric.h"

namespace greenbert {
namespace {

using testing::all_close;
using testing::random_floats;

TEST(AdamW, FiveStepsMatchTorchFormula) {
  const int64_t n = 1000;
  auto p = random_floats(n, 31);
  std::vector<float> m(n, 0.0f), v(n, 0.0f);
  std::vector<double> ep(p.begin(), p.end()), em(n, 0.0), ev(n, 0.0);
  AdamWHyper hyper;
  hyper.lr = 1e-2f, hyper.weight_decay = 0.1f;
  for (int64_t step = 1; step <= 5; ++step) {
    auto g = random_floats(n, uint32_t(100 + step));
    adamw_update(p.data(), g.data(), m.data(), v.data(), n, hyper, step);
    const double lr = hyper.lr, b1 = hyper.beta1, b2 = hyper.beta2, eps = hyper.eps;
    for (int64_t i = 0; i < n; ++i) {
      ep[i] *= 1 - lr * hyper.weight_decay;
      em[i] = b1 * em[i] + (1 - b1) * g[i];
      ev[i] = b2 * ev[i] + (1 - b2) * double(g[i]) * g[i];
      double denom = std::sqrt(ev[i]) / std::sqrt(1 - std::pow(b2, step)) + eps;
      ep[i] -= lr / (1 - std::pow(b1, step)) * em[i] / denom;
    }
  }
  EXPECT_TRUE(all_close(p, ep, 1e-5, 1e-6));
  EXPECT_TRUE(all_close(m, em, 1e-5, 1e-7));
}

TEST(AdamW, NoDecayLeavesZeroGradientParametersAlone) {
  std::vector<float> p = {0.5f, -2.0f}, g = {0.0f, 0.0f}, m = {0, 0}, v = {0, 0};
  AdamWHyper hyper;
  hyper.weight_decay = 0.0f;
  adamw_update(p.data(), g.data(), m.data(), v.data(), 2, hyper, 1);
  EXPECT_EQ(p[0], 0.5f);
  EXPECT_EQ(p[1], -2.0f);
}

TEST(Clip, GlobalNormIsReproducibleAndClipsLikeTorch) {
  const int64_t n = 100000;  // many chunks
  auto g = random_floats(n, 32);
  double expected = 0;
  for (float x : g) expected += double(x) * x;
  expected = std::sqrt(expected);
  double norm = global_norm(g.data(), n);
  EXPECT_NEAR(norm, expected, 1e-9 * expected);
  int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  EXPECT_EQ(global_norm(g.data(), n), norm);
  omp_set_num_threads(threads);

  EXPECT_EQ(clip_factor(norm, float(norm * 2)), 1.0f);
  float factor = clip_factor(norm, 1.0f);
  EXPECT_NEAR(factor, 1.0 / (norm + 1e-6), 1e-9);
  auto clipped = g;
  scale(clipped.data(), n, factor);
  EXPECT_NEAR(global_norm(clipped.data(), n), 1.0, 1e-5);
}

}  // namespace
}  // namespace greenbert
