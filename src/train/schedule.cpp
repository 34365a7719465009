#include "train/schedule.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace greenbert {

double learning_rate(const LinearSchedule& s, int64_t done) {
  if (done < s.warmup_steps)
    return s.peak_lr * static_cast<double>(done) /
           static_cast<double>(std::max<int64_t>(1, s.warmup_steps));
  const double left = static_cast<double>(s.total_steps - done) /
                      static_cast<double>(std::max<int64_t>(1, s.total_steps - s.warmup_steps));
  return s.peak_lr * std::max(0.0, left);
}

int64_t warmup_steps(double warmup, int64_t total_steps) {
  if (!(warmup >= 0)) fail("--warmup must be >= 0 (a ratio below 1, or steps), got ", warmup);
  int64_t steps = 0;
  if (warmup < 1) {
    steps = static_cast<int64_t>(std::ceil(warmup * static_cast<double>(total_steps)));
  } else {
    if (warmup != std::floor(warmup))
      fail("--warmup ", warmup, ": a value of 1 or more is a number of steps and must be whole");
    steps = static_cast<int64_t>(warmup);
  }
  if (steps > total_steps)
    fail("--warmup ", warmup, " is ", steps, " steps but training has only ", total_steps);
  return steps;
}

}  // namespace greenbert
