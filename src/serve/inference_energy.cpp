#include "serve/inference_energy.h"

#include <chrono>

#include "energy/energy_figures.h"

namespace greenbert {

InferenceEnergy::InferenceEnergy(const EnergyOptions& options)
    : options_(options),
      intensity_(resolve_carbon_intensity(options.country, options.carbon_intensity)),
      meter_(options) {
  sampler_ = std::make_unique<PeriodicSampler>(
      std::chrono::duration<double>(options.sample_interval_seconds), [this] { tick(); });
}

InferenceEnergy::~InferenceEnergy() {
  sampler_->stop();
}

// The meter's totals now: joules (PUE applied) and seconds since it started.
void InferenceEnergy::sample_locked(double& joules, double& seconds) {
  meter_.sample();
  const EnergyTotals& totals = meter_.totals();
  joules = (totals.cpu_joules + totals.ram_joules) * options_.pue;
  seconds = totals.seconds;
}

void InferenceEnergy::calibrate(const std::function<void()>& work, double seconds) {
  using Clock = std::chrono::steady_clock;
  double joules_before = 0, seconds_before = 0;
  {
    std::lock_guard lock(mutex_);
    sample_locked(joules_before, seconds_before);
  }
  const auto start = Clock::now();
  do {
    work();
  } while (std::chrono::duration<double>(Clock::now() - start).count() < seconds);
  std::lock_guard lock(mutex_);
  double joules_after = 0, seconds_after = 0;
  sample_locked(joules_after, seconds_after);
  // The sampler's ticks in between saw no charged time: this window is counted once, here.
  window_joules_ += joules_after - joules_before;
  window_seconds_ += seconds_after - seconds_before;
}

void InferenceEnergy::tick() {
  std::lock_guard lock(mutex_);
  double joules = 0, seconds = 0;
  sample_locked(joules, seconds);
  const double interval = seconds - last_seconds_;
  if (interval > 0 && busy_seconds_ >= 0.5 * interval) {
    window_joules_ += joules - last_joules_;
    window_seconds_ += interval;
  }
  last_joules_ = joules;
  last_seconds_ = seconds;
  busy_seconds_ = 0;
}

std::optional<double> InferenceEnergy::charge(double seconds) {
  std::lock_guard lock(mutex_);
  busy_seconds_ += seconds;
  if (window_seconds_ <= 0) return std::nullopt;
  const double joules = seconds * window_joules_ / window_seconds_;
  total_joules_ += joules;
  return joules;
}

double InferenceEnergy::total_joules() const {
  std::lock_guard lock(mutex_);
  return total_joules_;
}

double InferenceEnergy::watts() const {
  std::lock_guard lock(mutex_);
  return window_seconds_ > 0 ? window_joules_ / window_seconds_ : 0;
}

double InferenceEnergy::g_co2eq_per_joule() const {
  return kg_co2eq(joules_to_kwh(1.0), intensity_.g_per_kwh) * 1000.0;
}

}  // namespace greenbert
