#pragma once
// Carbon intensity of electricity per country, to turn kWh into kg CO2eq:
//   emissions (kg) = energy (kWh) x PUE x intensity (g/kWh) / 1000
// (CodeCarbon applies the PUE to the energy; so does greenbert.) The table is CodeCarbon's
// (global_energy_mix.json: Our World in Data / Ember, each country's latest year), generated into
// carbon_intensity_table_data.cpp by scripts/generate_energy_tables.py; without a country,
// CodeCarbon's world average (475 g/kWh) is used.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace greenbert {

struct CountryIntensity {
  std::string_view iso3;  // "FRA"
  std::string_view name;  // "France"
  double g_per_kwh;
  int year;  // of the figure
  // Empty when the file gives the figure; else how CodeCarbon derives it from the generation mix
  // (the file's carbon_intensity is 0 for a few countries).
  std::string_view derived;
};

std::span<const CountryIntensity> country_intensity_table();
extern const char* const kCountryIntensityTableSource;
std::optional<CountryIntensity> find_country_intensity(std::string_view iso3);  // any case

// CodeCarbon's fallback when neither the country nor its mix is known (IEA, 2019).
inline constexpr double kWorldAverageGramsPerKwh = 475.0;

struct CarbonIntensity {
  double g_per_kwh = kWorldAverageGramsPerKwh;
  std::string country_name;      // empty when no country was given
  std::string country_iso_code;  // ISO 3166-1 alpha-3, upper case
  std::string source;            // said in the sidecar and by `greenbert energy info`
};

// `country_iso3` may be empty; `override_g_per_kwh` (--carbon-intensity) replaces the table
// value but keeps the country. Throws greenbert::Error for an unknown country code.
CarbonIntensity resolve_carbon_intensity(std::string_view country_iso3,
                                         std::optional<double> override_g_per_kwh);

}  // namespace greenbert
