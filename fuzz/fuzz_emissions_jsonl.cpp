// emissions_details.jsonl, the sidecar of emissions.csv: lines that load are written back by
// format_details_line to lines that load and write back identically.
#include "energy/emissions_details.h"
#include "json_mutator.h"
#include "scratch.h"
#include "target.h"

namespace {
constexpr std::string_view kKeys[] = {"format",
                                      "greenbert-emissions-details",
                                      "format_version",
                                      "run_id",
                                      "phase",
                                      "train",
                                      "predict",
                                      "project_name",
                                      "experiment_id",
                                      "completed",
                                      "method",
                                      "rapl",
                                      "perf",
                                      "estimated",
                                      "cpu_detail",
                                      "not_used",
                                      "ram_measured",
                                      "ram_detail",
                                      "assumed_tdp_watts",
                                      "tdp_source",
                                      "load_mode",
                                      "machine",
                                      "process",
                                      "samples",
                                      "sample_interval_seconds",
                                      "failed_reads",
                                      "sequences",
                                      "tokens",
                                      "duration_seconds",
                                      "cpu_joules",
                                      "ram_joules",
                                      "joules",
                                      "joules_per_sequence",
                                      "joules_per_1000_predictions",
                                      "joules_per_token",
                                      "kwh",
                                      "kg_co2eq",
                                      "carbon_intensity_g_per_kwh",
                                      "carbon_intensity_source",
                                      "pue",
                                      "greenbert_version"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  fuzz::require_reads_back("emissions_details.jsonl", fuzz::as_text(data, size), read_details, "",
                           format_details_line);
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
