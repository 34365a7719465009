// emissions.csv (CodeCarbon 3.x's columns), as a report or a finished run reads it: rows that
// load are written back by format_emissions_row to rows that load and write back identically.
#include "energy/emissions_csv.h"
#include "scratch.h"
#include "target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  fuzz::require_reads_back("emissions.csv", fuzz::as_text(data, size), read_emissions_csv,
                           emissions_csv_header(), format_emissions_row);
  return 0;
}
