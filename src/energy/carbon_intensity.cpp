#include "energy/carbon_intensity.h"

#include <cctype>

#include "core/error.h"

namespace greenbert {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<CountryIntensity> find_country_intensity(std::string_view iso3) {
  const std::string wanted = upper(iso3);
  for (const auto& entry : country_intensity_table()) {
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
           country_intensity_table().size(), "-country table of ", kCountryIntensityTableSource,
           " (e.g. FRA, DEU, USA, GBR), or give --carbon-intensity G_PER_KWH");
    result.g_per_kwh = country->g_per_kwh;
    result.country_name = std::string(country->name);
    result.country_iso_code = std::string(country->iso3);
    result.source = cat(kCountryIntensityTableSource, ", ", country->iso3, " ", country->year,
                        country->derived.empty() ? "" : cat(", ", country->derived));
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
