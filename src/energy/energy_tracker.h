#pragma once
// Wraps one phase (train, eval, quantize, bench, predict, serve) and records its energy:
//
//   EnergyTracker tracker("train", run_dir / "emissions.csv", options, "greenbert", "bert-tiny");
//   tracker.add_work(batch_sequences, batch_tokens);       // as work is done
//   progress.update(step, format_energy(tracker.snapshot()));  // cheap: no I/O
//   EmissionsRecord row = tracker.stop();                  // appends the CSV row + sidecar line
//
// A sampler thread reads the energy source every options.sample_interval_seconds. stop()
// appends one row to the CSV and then one line to its sidecar (emissions_details.h); if the
// tracker is destroyed without stop() (the phase threw), the destructor records the energy spent
// anyway, marked "completed": false, and never throws. With an empty `csv` nothing is written:
// stop() and details() give the row and its sidecar entry to the caller (a rank of a parallel
// training sends them to the rank that writes, core/process_group.h).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "energy/carbon_intensity.h"
#include "energy/emissions_csv.h"
#include "energy/emissions_details.h"
#include "energy/energy_meter.h"
#include "energy/energy_options.h"
#include "energy/periodic_sampler.h"

namespace greenbert {

struct EnergySnapshot {
  EnergyMethod method = EnergyMethod::estimated;
  double seconds = 0;
  double joules = 0;  // PUE applied, as energy_consumed
  double kwh = 0;
  double kg_co2eq = 0;
};

// "1.23 kJ estimated, 0.162 gCO2eq" for progress lines.
std::string format_energy(const EnergySnapshot& snapshot);

class EnergyTracker {
 public:
  EnergyTracker(std::string phase, std::filesystem::path csv, const EnergyOptions& options,
                std::string project_name = "greenbert", std::string experiment_id = "");
  ~EnergyTracker();
  EnergyTracker(const EnergyTracker&) = delete;
  EnergyTracker& operator=(const EnergyTracker&) = delete;

  // Work units for the per-unit figures; thread-safe, callable from any thread.
  void add_work(int64_t sequences, int64_t tokens);
  // Energy up to the last sample (at most one interval old).
  EnergySnapshot snapshot() const;
  // Takes a final sample, appends the row and the sidecar line, returns the row. Later calls
  // return the same row without writing again.
  EmissionsRecord stop();
  // stop() for work whose result must not depend on its bookkeeping (a finished training): a
  // row that cannot be written (full disk) is a warning on stderr, not an error.
  void stop_or_warn();
  // What stop() wrote to the sidecar; valid after stop().
  const PhaseDetails& details() const { return *details_; }
  const MeterSetup& setup() const { return meter_.setup(); }

 private:
  void finish(bool completed);
  void warn_not_recorded(const std::exception& e) const;
  EnergySnapshot snapshot_locked() const;

  const std::string phase_;
  const std::filesystem::path csv_;
  const EnergyOptions options_;
  const std::string project_name_;
  const std::string experiment_id_;
  const CarbonIntensity intensity_;
  std::atomic<int64_t> sequences_{0};
  std::atomic<int64_t> tokens_{0};
  mutable std::mutex mutex_;
  EnergyMeter meter_;
  std::unique_ptr<PeriodicSampler> sampler_;
  std::optional<EmissionsRecord> record_;
  std::optional<PhaseDetails> details_;
};

// A random (version 4) UUID, the form CodeCarbon uses for run_id.
std::string random_uuid();

}  // namespace greenbert
