// emissions.csv (CodeCarbon 3.x's columns), as a report or a finished run reads it: rows that
// load are written back by format_emissions_row to rows that load and write back identically.
#include "energy/emissions_csv.h"
#include "scratch.h"
#include "target.h"

namespace {
std::string formatted(const std::vector<greenbert::EmissionsRecord>& records) {
  std::string text = greenbert::emissions_csv_header();
  for (const auto& record : records) text += greenbert::format_emissions_row(record);
  return text;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto path = fuzz::scratch_file("emissions.csv", fuzz::as_text(data, size));
  fuzz::read_or_refuse([&] {
    const std::string written = formatted(read_emissions_csv(path));
    const std::string again =
        formatted(read_emissions_csv(fuzz::scratch_file("again.csv", written)));
    fuzz::require(again == written, "emissions rows do not read back as written");
  });
  return 0;
}
