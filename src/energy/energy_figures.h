#pragma once
// The figures the study reports, computed one way everywhere: kWh and kg CO2eq per run, joules
// per training sequence, per 1,000 predictions (one prediction = one paper's label set) and per
// token. Joules here are the energy_consumed of emissions.csv (PUE applied).
#include <cstdint>
#include <optional>

namespace greenbert {

inline constexpr double kJoulesPerKwh = 3.6e6;

inline double joules_to_kwh(double joules) {
  return joules / kJoulesPerKwh;
}
inline double kwh_to_joules(double kwh) {
  return kwh * kJoulesPerKwh;
}
// kg CO2eq = kWh x g/kWh / 1000.
inline double kg_co2eq(double kwh, double g_per_kwh) {
  return kwh * g_per_kwh / 1000.0;
}

struct PerUnitEnergy {
  std::optional<double> joules_per_sequence;  // nullopt when no sequence was counted
  std::optional<double> joules_per_1000_predictions;
  std::optional<double> joules_per_token;
};

PerUnitEnergy per_unit_energy(double joules, int64_t sequences, int64_t tokens);

}  // namespace greenbert
