// Source: Our World in Data, "Carbon intensity of electricity generation" (grams of CO2-equivalent
// per kWh, life-cycle emissions), built from Ember's Yearly Electricity Data and the Energy
// Institute's Statistical Review of World Energy; year 2023. Values rounded to 1 g/kWh and
// transcribed by hand for greenbert; check a figure against the source before quoting it to more
// than two significant digits. CodeCarbon ships the same series (an earlier year) in
// codecarbon/data/private_infra/global_energy_mix.json.
#include "energy/carbon_intensity.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace greenbert {
namespace {

constexpr const char* kTableSource =
    "Our World in Data / Ember 2023, carbon intensity of electricity generation";

constexpr CountryIntensity kTable[] = {
    {"ARE", "United Arab Emirates", 493},
    {"ARG", "Argentina", 354},
    {"AUS", "Australia", 549},
    {"AUT", "Austria", 111},
    {"BEL", "Belgium", 138},
    {"BGD", "Bangladesh", 691},
    {"BGR", "Bulgaria", 335},
    {"BRA", "Brazil", 98},
    {"CAN", "Canada", 170},
    {"CHE", "Switzerland", 35},
    {"CHL", "Chile", 291},
    {"CHN", "China", 582},
    {"COL", "Colombia", 260},
    {"CZE", "Czechia", 450},
    {"DEU", "Germany", 381},
    {"DNK", "Denmark", 152},
    {"EGY", "Egypt", 570},
    {"ESP", "Spain", 174},
    {"EST", "Estonia", 417},
    {"FIN", "Finland", 79},
    {"FRA", "France", 56},
    {"GBR", "United Kingdom", 238},
    {"GRC", "Greece", 337},
    {"HRV", "Croatia", 205},
    {"HUN", "Hungary", 204},
    {"IDN", "Indonesia", 676},
    {"IND", "India", 713},
    {"IRL", "Ireland", 282},
    {"IRN", "Iran", 656},
    {"ISL", "Iceland", 28},
    {"ISR", "Israel", 583},
    {"ITA", "Italy", 331},
    {"JPN", "Japan", 485},
    {"KAZ", "Kazakhstan", 821},
    {"KEN", "Kenya", 71},
    {"KOR", "South Korea", 432},
    {"LTU", "Lithuania", 161},
    {"LUX", "Luxembourg", 105},
    {"LVA", "Latvia", 123},
    {"MAR", "Morocco", 630},
    {"MEX", "Mexico", 507},
    {"MYS", "Malaysia", 606},
    {"NGA", "Nigeria", 523},
    {"NLD", "Netherlands", 268},
    {"NOR", "Norway", 30},
    {"NZL", "New Zealand", 112},
    {"PAK", "Pakistan", 441},
    {"PER", "Peru", 266},
    {"PHL", "Philippines", 610},
    {"POL", "Poland", 662},
    {"PRT", "Portugal", 166},
    {"ROU", "Romania", 241},
    {"RUS", "Russia", 441},
    {"SAU", "Saudi Arabia", 696},
    {"SGP", "Singapore", 471},
    {"SVK", "Slovakia", 117},
    {"SVN", "Slovenia", 231},
    {"SWE", "Sweden", 41},
    {"THA", "Thailand", 549},
    {"TUR", "Turkey", 465},
    {"TWN", "Taiwan", 642},
    {"UKR", "Ukraine", 256},
    {"USA", "United States", 369},
    {"VNM", "Vietnam", 472},
    {"ZAF", "South Africa", 708},
};

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::span<const CountryIntensity> country_intensity_table() {
  return kTable;
}

std::optional<CountryIntensity> find_country_intensity(std::string_view iso3) {
  const std::string wanted = upper(iso3);
  for (const auto& entry : kTable) {
    if (entry.iso3 == wanted) return entry;
  }
  return std::nullopt;
}

CarbonIntensity resolve_carbon_intensity(std::string_view country_iso3,
                                         std::optional<double> override_g_per_kwh) {
  CarbonIntensity result;
  if (!country_iso3.empty()) {
    auto country = find_country_intensity(country_iso3);
    if (!country)
      fail("unknown country code '", country_iso3, "': use an ISO 3166-1 alpha-3 code from the ",
           std::size(kTable),
           "-country table (e.g. FRA, DEU, USA, GBR), or give "
           "--carbon-intensity G_PER_KWH");
    result.g_per_kwh = country->g_per_kwh;
    result.country_name = std::string(country->name);
    result.country_iso_code = std::string(country->iso3);
    result.source = cat(kTableSource, ", ", country->iso3);
  } else {
    result.source = "world average, CodeCarbon's fallback; no --country given";
  }
  if (override_g_per_kwh) {
    if (!(*override_g_per_kwh >= 0)) fail("--carbon-intensity must be >= 0 g/kWh");
    result.g_per_kwh = *override_g_per_kwh;
    result.source = "--carbon-intensity (user-provided)";
  }
  return result;
}

}  // namespace greenbert
