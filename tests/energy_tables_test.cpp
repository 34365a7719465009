// The CPU TDP and carbon-intensity tables against CodeCarbon's own files in ../shared: the
// generated tables hold what the files hold, and lookups give what CodeCarbon would.
#include <gtest/gtest.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json_document.h"
#include "data/csv_reader.h"
#include "energy/carbon_intensity.h"
#include "energy/cpu_tdp_table.h"
#include "support.h"

namespace greenbert {
namespace {

struct CsvCpu {
  std::string name;
  std::string tdp;  // as written: a few are not numbers
};

std::vector<CsvCpu> read_cpu_power_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  CsvReader reader(in, path.string());
  const size_t name = reader.column("Name");
  const size_t tdp = reader.column("TDP");
  std::vector<CsvCpu> rows;
  CsvRecord record;
  while (reader.next(record)) {
    EXPECT_TRUE(record.problem.empty()) << record.line << ": " << record.problem;
    rows.push_back({std::string(record.fields[name]), std::string(record.fields[tdp])});
  }
  return rows;
}

std::optional<double> number(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The TDP CodeCarbon reads for a table name: its first row's.
double codecarbon_tdp(const std::vector<CsvCpu>& rows, const std::string& name) {
  for (const auto& row : rows)
    if (row.name == name) return number(row.tdp).value_or(-1);
  ADD_FAILURE() << name << " is not in cpu_power.csv";
  return -1;
}

TEST(CpuTdpTable, IsCodeCarbonsFileRowForRow) {
  GREENBERT_SHARED_PATH(csv, "data/codecarbon/cpu_power.csv");
  const auto rows = read_cpu_power_csv(csv);
  const auto table = cpu_tdp_table();
  ASSERT_EQ(table.size(), rows.size()) << "regenerate: scripts/generate_energy_tables.py";
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(table[i].model, rows[i].name) << "row " << i + 2;
    const auto tdp = number(rows[i].tdp);
    EXPECT_DOUBLE_EQ(table[i].watts, tdp && *tdp > 0 ? *tdp : 0.0) << rows[i].name;
  }
}

TEST(CpuTdpTable, FindsBrandStringsAsCodeCarbonDoes) {
  GREENBERT_SHARED_PATH(csv, "data/codecarbon/cpu_power.csv");
  const auto rows = read_cpu_power_csv(csv);
  // /proc/cpuinfo's "model name" -> the table name CodeCarbon's _get_matching_cpu settles on.
  const std::pair<const char*, const char*> known[] = {
      {"AMD EPYC 7763", "AMD EPYC 7763"},                                      // same name
      {"Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "Intel Xeon Gold 6248"},    // cleaned
      {"Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "Intel Xeon Gold 6248R"},  // not the 6248
      {"Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "Intel Xeon E5-2680 v4"},
      {"Intel(R) Xeon(R) Platinum 8480+", "Intel Xeon Platinum 8480+"},
      {"AMD EPYC 7543 32-Core Processor", "AMD EPYC 7543"},  // by words
      {"12th Gen Intel(R) Core(TM) i7-12700K", "Intel Core i7-12700K"},
      {"Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz", "Intel Core i7-8700K"},
      {"AMD Ryzen 7 5800H with Radeon Graphics", "AMD Ryzen 7 5800H"},
  };
  for (const auto& [brand, name] : known) {
    const CpuTdpMatch match = match_cpu_tdp(brand);
    ASSERT_TRUE(match.tdp) << brand << ": " << match.how;
    EXPECT_EQ(match.tdp->model, name) << brand;
    EXPECT_DOUBLE_EQ(match.tdp->watts, codecarbon_tdp(rows, name)) << brand;
  }
}

TEST(CpuTdpTable, LeavesWhatCodeCarbonCannotPlaceUnknownAndSaysWhy) {
  // This machine's brand string: a virtual machine hiding the model fits every EPYC.
  auto vague = match_cpu_tdp("AMD EPYC");
  EXPECT_FALSE(vague.tdp);
  EXPECT_NE(vague.how.find("fit its words equally"), std::string::npos) << vague.how;
  EXPECT_FALSE(match_cpu_tdp("Intel(R) Xeon(R) CPU @ 2.20GHz").tdp);  // a cloud's Xeon
  auto absent = match_cpu_tdp("Intel(R) Xeon(R) Processor");
  EXPECT_FALSE(absent.tdp);
  EXPECT_NE(absent.how.find("not in"), std::string::npos) << absent.how;
  // Listed twice, as i5-750S and i5-750s: two names fit, so neither.
  EXPECT_FALSE(match_cpu_tdp("Intel(R) Core(TM) i5-750S CPU @ 2.40GHz").tdp);
  // Listed with TDP "27.29.5", which CodeCarbon cannot convert.
  auto unusable = match_cpu_tdp("Intel(R) Celeron(R) CPU 1000A");
  EXPECT_FALSE(unusable.tdp);
  EXPECT_NE(unusable.how.find("no usable TDP"), std::string::npos) << unusable.how;
  EXPECT_FALSE(match_cpu_tdp("").tdp);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(CpuTdpTable, EveryNameFindsItsFirstSpellingIgnoringCase) {
  std::map<std::string, std::string_view> first;  // lower-case name -> its first spelling
  for (const CpuTdp& entry : cpu_tdp_table()) first.emplace(lower(entry.model), entry.model);
  for (const CpuTdp& entry : cpu_tdp_table()) {
    if (entry.watts == 0) continue;
    const CpuTdpMatch match = match_cpu_tdp(entry.model);
    ASSERT_TRUE(match.tdp) << entry.model << ": " << match.how;
    EXPECT_EQ(match.how, "same name") << entry.model;
    EXPECT_EQ(match.tdp->model, first.at(lower(entry.model)));
  }
}

TEST(CarbonIntensity, IsCodeCarbonsFileCountryForCountry) {
  GREENBERT_SHARED_PATH(mix_file, "data/codecarbon/global_energy_mix.json");
  GREENBERT_SHARED_PATH(per_source_file, "data/codecarbon/carbon_intensity_per_source.json");
  const auto mixes = read_json_file(mix_file);
  const auto per_source = read_json_file(per_source_file);
  EXPECT_DOUBLE_EQ(per_source.at("world_average").get<double>(), kWorldAverageGramsPerKwh);
  ASSERT_EQ(country_intensity_table().size(), mixes.size());
  for (const auto& [iso3, mix] : mixes.items()) {
    const auto country = find_country_intensity(iso3);
    ASSERT_TRUE(country) << iso3;
    EXPECT_EQ(country->name, mix.at("country_name").get<std::string>());
    EXPECT_EQ(country->year, mix.at("year").get<int>());
    const double given = mix.at("carbon_intensity").get<double>();
    if (given != 0) {
      EXPECT_DOUBLE_EQ(country->g_per_kwh, given) << iso3;
      EXPECT_TRUE(country->derived.empty()) << iso3;
    } else {
      EXPECT_FALSE(country->derived.empty()) << iso3;
    }
  }
  // The one country whose file figure is 0: all its electricity is hydroelectric, so
  // CodeCarbon's mix rule gives the hydroelectricity figure.
  const auto& central_african_republic = mixes.at("CAF");
  ASSERT_EQ(central_african_republic.at("hydroelectricity_TWh"),
            central_african_republic.at("total_TWh"));
  EXPECT_DOUBLE_EQ(find_country_intensity("CAF")->g_per_kwh,
                   per_source.at("hydroelectricity").get<double>());
}

TEST(CarbonIntensity, KnownCountriesGiveCodeCarbonsFigures) {
  GREENBERT_SHARED_PATH(mix_file, "data/codecarbon/global_energy_mix.json");
  const auto mixes = read_json_file(mix_file);
  for (const char* iso3 : {"FRA", "DEU", "USA", "GBR", "IND", "CHN", "NOR", "BRA"}) {
    const auto& mix = mixes.at(iso3);
    const CarbonIntensity intensity = resolve_carbon_intensity(iso3, std::nullopt);
    EXPECT_DOUBLE_EQ(intensity.g_per_kwh, mix.at("carbon_intensity").get<double>()) << iso3;
    EXPECT_EQ(intensity.country_name, mix.at("country_name").get<std::string>());
    EXPECT_NE(intensity.source.find(cat(iso3, " ", mix.at("year").get<int>())), std::string::npos)
        << intensity.source;
  }
}

}  // namespace
}  // namespace greenbert
