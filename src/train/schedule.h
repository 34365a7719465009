#pragma once
// The learning-rate schedule of Hugging Face's get_linear_schedule_with_warmup: linear warm-up
// from 0 to the peak over warmup_steps updates, then linear decay to 0 at total_steps.
#include <cstdint>
#include <string>

namespace greenbert {

struct LinearSchedule {
  double peak_lr = 2e-5;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
};

// The learning rate of the update that follows `done` updates (done = 0 for the first), exactly
// HF's lr_lambda(done) · peak: done / warmup during warm-up (so with warm-up the first update
// has lr 0, as in HF), then (total - done) / (total - warmup), never below 0.
double learning_rate(const LinearSchedule& schedule, int64_t done);

// --warmup: a value below 1 is a ratio of the total steps (HF's warmup_ratio, rounded up like
// HF's get_warmup_steps); 1 or more is a whole number of steps. Throws greenbert::Error for
// negative values, fractional step counts, or more warm-up steps than total steps.
int64_t warmup_steps(double warmup, int64_t total_steps);

}  // namespace greenbert
