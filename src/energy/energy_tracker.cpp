#include "energy/energy_tracker.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include "core/error.h"
#include "core/local_time.h"
#include "core/system_info.h"
#include "energy/energy_figures.h"

namespace greenbert {
namespace {

std::string with_unit(double value, const char* const units[], int count, double step) {
  int unit = 0;
  while (unit + 1 < count && std::abs(value) >= step) {
    value /= step;
    ++unit;
  }
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.3g %s", value, units[unit]);
  return buffer;
}

}  // namespace

std::string random_uuid() {
  static thread_local std::mt19937_64 generator{std::random_device{}() ^
                                                (uint64_t{std::random_device{}()} << 32)};
  uint64_t high = generator(), low = generator();
  high = (high & ~uint64_t{0xF000}) | 0x4000;                    // version 4
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                static_cast<unsigned long long>(high & 0xFFFF),
                static_cast<unsigned long long>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return buffer;
}

std::string format_energy(const EnergySnapshot& snapshot) {
  static const char* const joules[] = {"J", "kJ", "MJ", "GJ"};
  static const char* const grams[] = {"gCO2eq", "kgCO2eq", "tCO2eq"};
  return cat(with_unit(snapshot.joules, joules, 4, 1000.0), " ",
             energy_method_name(snapshot.method), ", ",
             with_unit(snapshot.kg_co2eq * 1000.0, grams, 3, 1000.0));
}

EnergyTracker::EnergyTracker(std::string phase, std::filesystem::path csv,
                             const EnergyOptions& options, std::string project_name,
                             std::string experiment_id)
    : phase_(std::move(phase)),
      csv_(std::move(csv)),
      options_(options),
      project_name_(std::move(project_name)),
      experiment_id_(std::move(experiment_id)),
      intensity_(resolve_carbon_intensity(options.country, options.carbon_intensity)),
      meter_(options) {
  sampler_ = std::make_unique<PeriodicSampler>(
      std::chrono::duration<double>(options.sample_interval_seconds), [this] {
        std::lock_guard lock(mutex_);
        meter_.sample();
      });
}

EnergyTracker::~EnergyTracker() {
  if (record_) return;
  try {
    finish(false);
  } catch (const std::exception& e) {
    warn_not_recorded(e);
  }
}

void EnergyTracker::warn_not_recorded(const std::exception& e) const {
  std::fprintf(stderr, "greenbert: warning: the energy of phase '%s' was not recorded: %s\n",
               phase_.c_str(), e.what());
}

void EnergyTracker::add_work(int64_t sequences, int64_t tokens) {
  sequences_ += sequences;
  tokens_ += tokens;
}

EnergySnapshot EnergyTracker::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_locked();
}

EnergySnapshot EnergyTracker::snapshot_locked() const {
  const EnergyTotals& totals = meter_.totals();
  EnergySnapshot snapshot;
  snapshot.method = meter_.setup().method;
  snapshot.seconds = totals.seconds;
  snapshot.joules = (totals.cpu_joules + totals.ram_joules) * options_.pue;
  snapshot.kwh = joules_to_kwh(snapshot.joules);
  snapshot.kg_co2eq = kg_co2eq(snapshot.kwh, intensity_.g_per_kwh);
  return snapshot;
}

EmissionsRecord EnergyTracker::stop() {
  if (!record_) finish(true);
  return *record_;
}

void EnergyTracker::stop_or_warn() {
  try {
    stop();
  } catch (const std::exception& e) {
    warn_not_recorded(e);
  }
}

void EnergyTracker::finish(bool completed) {
  sampler_->stop();
  std::lock_guard lock(mutex_);
  meter_.sample();
  const MeterSetup& setup = meter_.setup();
  const EnergyTotals& totals = meter_.totals();
  const SystemInfo info = system_info();

  EmissionsRecord r;
  r.timestamp = local_time_text();
  r.project_name = project_name_;
  r.run_id = random_uuid();
  r.experiment_id = experiment_id_;
  r.duration = totals.seconds;
  r.cpu_power = totals.cpu_watts();
  r.ram_power = totals.ram_watts();
  r.cpu_energy = joules_to_kwh(totals.cpu_joules * options_.pue);
  r.ram_energy = joules_to_kwh(totals.ram_joules * options_.pue);
  r.energy_consumed = r.cpu_energy + r.gpu_energy + r.ram_energy;
  r.emissions = kg_co2eq(r.energy_consumed, intensity_.g_per_kwh);
  r.emissions_rate = r.duration > 0 ? r.emissions / r.duration : 0;
  r.country_name = intensity_.country_name;
  r.country_iso_code = intensity_.country_iso_code;
  r.os = info.os;
  r.codecarbon_version = cat("greenbert ", GREENBERT_VERSION);
  r.cpu_count = setup.logical_cpus;
  r.cpu_model = setup.cpu_model;
  r.ram_total_size = setup.ram_total_gib;
  r.tracking_mode = std::string(load_mode_name(options_.load_mode));
  r.cpu_utilization_percent = totals.cpu_utilization_percent();
  r.ram_utilization_percent = totals.ram_utilization_percent();
  r.ram_used_gb = totals.ram_used_gib();
  r.pue = options_.pue;

  PhaseDetails d;
  d.run_id = r.run_id;
  d.phase = phase_;
  d.project_name = project_name_;
  d.experiment_id = experiment_id_;
  d.completed = completed;
  d.method = std::string(energy_method_name(setup.method));
  d.cpu_detail = setup.cpu_detail;
  d.not_used = setup.not_used;
  if (!sampler_->error().empty()) d.not_used.push_back(cat("sampler stopped: ", sampler_->error()));
  d.ram_measured = setup.ram_measured;
  d.ram_detail = setup.ram_detail;
  if (setup.method == EnergyMethod::estimated) {
    d.assumed_tdp_watts = setup.tdp.watts;
    d.tdp_source = setup.tdp.source;
  }
  d.load_mode = r.tracking_mode;
  d.samples = totals.intervals;
  d.sample_interval_seconds = options_.sample_interval_seconds;
  d.failed_reads = meter_.failed_reads();
  d.sequences = sequences_;
  d.tokens = tokens_;
  d.duration_seconds = totals.seconds;
  d.cpu_joules = totals.cpu_joules;
  d.ram_joules = totals.ram_joules;
  d.joules = kwh_to_joules(r.energy_consumed);
  const PerUnitEnergy per_unit = per_unit_energy(d.joules, d.sequences, d.tokens);
  d.joules_per_sequence = per_unit.joules_per_sequence;
  d.joules_per_1000_predictions = per_unit.joules_per_1000_predictions;
  d.joules_per_token = per_unit.joules_per_token;
  d.kwh = r.energy_consumed;
  d.kg_co2eq = r.emissions;
  d.carbon_intensity_g_per_kwh = intensity_.g_per_kwh;
  d.carbon_intensity_source = intensity_.source;
  d.pue = options_.pue;
  d.greenbert_version = GREENBERT_VERSION;

  // Marked done first: a failed append must not be retried by the destructor.
  record_ = r;
  details_ = d;
  if (csv_.empty()) return;
  append_emissions_row(csv_, r);
  append_details(details_path_for(csv_), d);
}

}  // namespace greenbert
