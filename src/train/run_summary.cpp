#include "train/run_summary.h"

#include <algorithm>
#include <set>

#include "energy/emissions_details.h"

namespace greenbert {

nlohmann::ordered_json energy_json(const std::filesystem::path& csv) {
  nlohmann::ordered_json result = nlohmann::ordered_json::object();
  if (!std::filesystem::exists(csv)) return result;
  struct Sum {
    int64_t rows = 0;
    double seconds = 0, kwh = 0, kg = 0;
    std::set<std::string> methods;
  };
  std::vector<std::pair<std::string, Sum>> sums;  // in order of first appearance
  for (const PhaseEnergy& phase : read_emissions_log(csv)) {
    auto it = std::find_if(sums.begin(), sums.end(),
                           [&](const auto& s) { return s.first == phase.row.experiment_id; });
    if (it == sums.end()) it = sums.insert(sums.end(), {phase.row.experiment_id, Sum{}});
    Sum& s = it->second;
    ++s.rows;
    s.seconds += phase.row.duration;
    s.kwh += phase.row.energy_consumed;
    s.kg += phase.row.emissions;
    s.methods.insert(phase.details ? phase.details->method : "unknown");
  }
  for (const auto& [id, s] : sums) {
    std::string method;
    for (const auto& m : s.methods) method += (method.empty() ? "" : ", ") + m;
    if (s.methods.size() > 1) method = "mixed: " + method;
    result[id] = {{"rows", s.rows},
                  {"seconds", s.seconds},
                  {"kwh", s.kwh},
                  {"kg_co2eq", s.kg},
                  {"method", method}};
  }
  return result;
}

}  // namespace greenbert
