#include <gtest/gtest.h>

#include <cmath>

#include "energy/energy_ledger.h"

namespace greenbert {
namespace {

IntervalReading machine_interval(double seconds, double load) {
  IntervalReading interval;
  interval.seconds = seconds;
  interval.machine_load = load;
  interval.ram_model_gib = 24;  // 4 DIMMs: 20 W with codecarbon-v3
  interval.ram_total_gib = 24;
  interval.ram_used_gib = 6;
  return interval;
}

TEST(EnergyLedger, IntegratesASyntheticLoadTraceByHand) {
  const PowerModel model{10.0, LoadMode::machine, RamModel::codecarbon_v3, std::nullopt};
  EnergyTotals totals;
  accumulate(totals, machine_interval(2.0, 0.0), model);  // 1 W x 2 s
  accumulate(totals, machine_interval(1.0, 1.0), model);  // 10 W x 1 s
  accumulate(totals, machine_interval(0.5, 0.5), model);  // 2.125 W x 0.5 s
  EXPECT_DOUBLE_EQ(totals.seconds, 3.5);
  EXPECT_DOUBLE_EQ(totals.cpu_joules, 2.0 + 10.0 + 1.0625);
  EXPECT_DOUBLE_EQ(totals.ram_joules, 20.0 * 3.5);
  EXPECT_DOUBLE_EQ(totals.cpu_watts(), 13.0625 / 3.5);
  EXPECT_DOUBLE_EQ(totals.cpu_utilization_percent(), 100.0 * (1.0 + 0.25) / 3.5);
  EXPECT_DOUBLE_EQ(totals.ram_utilization_percent(), 25.0);
  EXPECT_DOUBLE_EQ(totals.ram_used_gib(), 6.0);
  EXPECT_EQ(totals.intervals, 3);
}

TEST(EnergyLedger, FineSamplingOfARampConvergesToTheIntegral) {
  // load(t) = t / T over [0, T]: integral of TDP (0.1 + 0.9 (t/T)^3) dt = TDP T (0.1 + 0.9 / 4).
  const double tdp = 65, period = 100;
  const double exact = tdp * period * (0.1 + 0.9 / 4);
  const PowerModel model{tdp, LoadMode::machine, RamModel::codecarbon_v3, 0.0};
  double previous_error = INFINITY;
  for (int steps : {10, 100, 1000}) {
    EnergyTotals totals;
    const double dt = period / steps;
    for (int i = 0; i < steps; ++i) {
      // The probes report the load averaged over the interval: its midpoint for a ramp.
      accumulate(totals, machine_interval(dt, (i + 0.5) * dt / period), model);
    }
    const double error = std::abs(totals.cpu_joules - exact);
    EXPECT_LT(error, previous_error / 50) << steps << " steps";  // midpoint rule: O(1/n^2)
    previous_error = error;
    EXPECT_DOUBLE_EQ(totals.ram_joules, 0.0);  // --ram-power 0
  }
  EXPECT_LT(previous_error, 1e-4 * exact);
}

TEST(EnergyLedger, MeasuredJoulesReplaceTheModel) {
  const PowerModel model{100.0, LoadMode::machine, RamModel::codecarbon_v3, std::nullopt};
  EnergyTotals totals;
  IntervalReading interval = machine_interval(1.0, 1.0);
  interval.cpu_joules = 42.0;
  interval.ram_joules = 3.0;
  accumulate(totals, interval, model);
  EXPECT_DOUBLE_EQ(totals.cpu_joules, 42.0);
  EXPECT_DOUBLE_EQ(totals.ram_joules, 3.0);
}

TEST(EnergyLedger, ProcessModeUsesTheCpuShareAndProcessMemory) {
  const PowerModel model{8.0, LoadMode::process, RamModel::codecarbon_v3, std::nullopt};
  IntervalReading interval = machine_interval(2.0, 1.0);
  interval.process_share = 0.5;
  interval.ram_model_gib = 0.3;  // resident memory: 1 DIMM, 10 W floor
  EnergyTotals totals;
  accumulate(totals, interval, model);
  EXPECT_DOUBLE_EQ(totals.cpu_joules, 8.0 * 0.5 * 2.0);
  EXPECT_DOUBLE_EQ(totals.ram_joules, 10.0 * 2.0);
}

}  // namespace
}  // namespace greenbert
