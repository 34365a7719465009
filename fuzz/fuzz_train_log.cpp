// A run's train_log.csv and val_log.csv: what a --resume keeps of them (rows up to its
// checkpoint) and what the report plots from them. The input is train_log.csv; its lines after
// the first blank line are val_log.csv.
#include "report/study_results.h"
#include "scratch.h"
#include "target.h"
#include "train/run_logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const std::string_view input = fuzz::as_text(data, size);
  const size_t blank = input.find("\n\n");
  const auto train = fuzz::scratch_file("run/train_log.csv", input.substr(0, blank));
  const auto val = fuzz::scratch_file(
      "run/val_log.csv", blank == std::string_view::npos ? "" : input.substr(blank + 2));
  fuzz::read_or_refuse([&] { read_numeric_columns(train, {"step", "loss"}); });
  fuzz::read_or_refuse([&] { read_numeric_columns(val, {"step", "val_loss"}); });
  fuzz::read_or_refuse([&] { RunLogs(train.parent_path()).resume(100, 50); });
  return 0;
}
