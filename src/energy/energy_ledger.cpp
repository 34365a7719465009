#include "energy/energy_ledger.h"

namespace greenbert {

double modelled_cpu_watts(const PowerModel& model, const IntervalReading& interval) {
  return model.load_mode == LoadMode::machine
             ? cpu_power_machine_mode(model.tdp_watts, interval.machine_load)
             : cpu_power_process_mode(model.tdp_watts, interval.process_share);
}

double modelled_ram_watts(const PowerModel& model, const IntervalReading& interval) {
  if (model.ram_power_watts) return *model.ram_power_watts;
  return ram_power(model.ram_model, interval.ram_model_gib);
}

void accumulate(EnergyTotals& totals, const IntervalReading& interval, const PowerModel& model) {
  const double dt = interval.seconds;
  totals.seconds += dt;
  totals.cpu_joules += interval.cpu_joules.value_or(modelled_cpu_watts(model, interval) * dt);
  totals.ram_joules += interval.ram_joules.value_or(modelled_ram_watts(model, interval) * dt);
  totals.machine_load_seconds += interval.machine_load * dt;
  totals.ram_used_gib_seconds += interval.ram_used_gib * dt;
  if (interval.ram_total_gib > 0)
    totals.ram_percent_seconds += 100.0 * interval.ram_used_gib / interval.ram_total_gib * dt;
  ++totals.intervals;
}

}  // namespace greenbert
