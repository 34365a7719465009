#pragma once
// The energy the service's inference consumes, in total and per batch, from the same meter as
// every phase (energy/energy_meter.h: RAPL or perf counters when readable, CodeCarbon's estimate
// otherwise).
//
// A batch takes milliseconds; the meter's figures are only meaningful over longer windows (RAPL
// counters tick every ~1 ms, /proc/stat's loads every 10 ms). So the service measures the POWER
// drawn while inference runs, over windows in which it ran most of the time (a calibration run
// at start-up, then every sampling interval in which the batcher was busy at least half the
// time), and charges each batch its duration x that power: the figure `bench` reports as
// energy_per_1000_j under the same load. A request's share of its batch is its share of the
// batch's tokens (attention and every GEMM scale with tokens).
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "energy/carbon_intensity.h"
#include "energy/energy_meter.h"
#include "energy/energy_options.h"
#include "energy/periodic_sampler.h"

namespace greenbert {

class InferenceEnergy {
 public:
  explicit InferenceEnergy(const EnergyOptions& options);
  ~InferenceEnergy();
  InferenceEnergy(const InferenceEnergy&) = delete;
  InferenceEnergy& operator=(const InferenceEnergy&) = delete;

  // Runs `work` (inference) back to back for at least `seconds` and measures its power.
  void calibrate(const std::function<void()>& work, double seconds);
  // Charges `seconds` of inference: its joules, also added to the total; nullopt while no power
  // has been measured (then nothing is charged).
  std::optional<double> charge(double seconds);

  double total_joules() const;
  double watts() const;  // power while inference runs; 0 until measured
  EnergyMethod method() const { return meter_.setup().method; }
  bool measured() const { return method() != EnergyMethod::estimated; }
  double g_co2eq_per_joule() const;

 private:
  void sample_locked(double& joules, double& seconds);
  void tick();

  const EnergyOptions options_;
  const CarbonIntensity intensity_;
  mutable std::mutex mutex_;
  EnergyMeter meter_;
  double last_joules_ = 0, last_seconds_ = 0;      // the meter's totals at the previous tick
  double busy_seconds_ = 0;                        // inference charged since the previous tick
  double window_joules_ = 0, window_seconds_ = 0;  // windows in which inference ran mostly
  double total_joules_ = 0;
  std::unique_ptr<PeriodicSampler> sampler_;  // last: ticks once everything exists
};

}  // namespace greenbert
