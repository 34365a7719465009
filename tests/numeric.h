#pragma once
// Helpers for numerical tests: deterministic random data, closeness checks that report the
// worst element, and central finite differences on double-precision reference functions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace greenbert::testing {

inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline std::vector<double> to_double(std::span<const float> v) {
  return std::vector<double>(v.begin(), v.end());
}

// |actual - expected| <= atol + rtol·|expected| for every element; reports the worst one.
inline ::testing::AssertionResult all_close(std::span<const float> actual,
                                            std::span<const double> expected, double rtol,
                                            double atol) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << "sizes differ: " << actual.size() << " vs " << expected.size();
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    double err = std::abs(static_cast<double>(actual[i]) - expected[i]);
    double excess = err == 0 ? 0 : err / (atol + rtol * std::abs(expected[i]));
    if (!(excess <= worst)) {  // also catches NaN
      worst = excess;
      at = i;
    }
  }
  if (worst <= 1.0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << at << ": got " << actual[at] << ", expected " << expected[at]
         << " (error " << std::abs(static_cast<double>(actual[at]) - expected[at])
         << " exceeds atol " << atol << " + rtol " << rtol << "·|expected| by a factor " << worst
         << ")";
}

inline ::testing::AssertionResult all_close(std::span<const float> actual,
                                            std::span<const float> expected, double rtol,
                                            double atol) {
  std::vector<double> e(expected.begin(), expected.end());
  return all_close(actual, std::span<const double>(e), rtol, atol);
}

// Central differences of a scalar function of `x` (double precision), one coordinate at a time.
inline std::vector<double> numeric_gradient(
    const std::function<double(const std::vector<double>&)>& f, std::vector<double> x,
    double h = 1e-6) {
  std::vector<double> g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double keep = x[i];
    x[i] = keep + h;
    double up = f(x);
    x[i] = keep - h;
    double down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

inline double max_abs(std::span<const double> v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

// Gradient comparison: error relative to the gradient's overall scale (max |g|), so that tiny
// components are judged against the size of the whole gradient, as in llm.c's checks.
inline ::testing::AssertionResult gradient_close(std::span<const float> analytic,
                                                 std::span<const double> numeric,
                                                 double tolerance = 1e-4) {
  double scale = std::max(max_abs(numeric), 1e-12);
  return all_close(analytic, numeric, tolerance, tolerance * scale);
}

}  // namespace greenbert::testing
