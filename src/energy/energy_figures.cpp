#include "energy/energy_figures.h"

namespace greenbert {

PerUnitEnergy per_unit_energy(double joules, int64_t sequences, int64_t tokens) {
  PerUnitEnergy out;
  if (sequences > 0) {
    out.joules_per_sequence = joules / static_cast<double>(sequences);
    out.joules_per_1000_predictions = *out.joules_per_sequence * 1000.0;
  }
  if (tokens > 0) out.joules_per_token = joules / static_cast<double>(tokens);
  return out;
}

}  // namespace greenbert
