// study_state.json, the manifest a re-run of `greenbert study` and `greenbert report` read: a
// manifest that loads writes back to one that loads the same.
#include "json_mutator.h"
#include "scratch.h"
#include "study/study_state.h"
#include "target.h"

namespace {
constexpr std::string_view kKeys[] = {"format",      "greenbert-study-state",
                                      "version",     "greenbert_version",
                                      "settings",    "hardware",
                                      "stages",      "id",
                                      "model",       "kind",
                                      "command",     "status",
                                      "attempts",    "seconds",
                                      "finished",    "failure",
                                      "outputs",     "energy_runs",
                                      "path",        "bytes",
                                      "mtime_ns",    "fnv1a64",
                                      "pending",     "running",
                                      "done",        "failed",
                                      "interrupted", "blocked",
                                      "data",        "models",
                                      "name",        "preset",
                                      "vocab",       "vocab_size",
                                      "init",        "size",
                                      "precisions",  "batch_sizes",
                                      "epochs",      "max_length",
                                      "max_rows",    "seed",
                                      "threads",     "bench_repeats",
                                      "bench_rows",  "lifetime_predictions",
                                      "energy_args", "bert-tiny",
                                      "int8",        "cpu",
                                      "logical_cpus"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto path = fuzz::scratch_file("study_state.json", fuzz::as_text(data, size));
  fuzz::read_or_refuse([&] {
    const StudyState state = read_study_state(path);
    write_study_state(path, state);
    const StudyState again = read_study_state(path);
    fuzz::require(again.stages.size() == state.stages.size() && again.hardware == state.hardware,
                  "study_state.json does not read back as written");
  });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
