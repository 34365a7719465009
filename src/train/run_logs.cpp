#include "train/run_logs.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/atomic_file.h"
#include "core/error.h"

namespace greenbert {
namespace {

constexpr const char* kTrainHeader = "step,epoch,loss,lr,grad_norm,seqs_per_s,elapsed_s\n";
constexpr const char* kValHeader = "epoch,step,val_loss,val_micro_f1,val_macro_f1,elapsed_s\n";

// Appends one formatted row to `out` (no allocation once `out` has grown). %.9g keeps a float's
// value exactly.
template <typename... Values>
void append_row(std::string& out, const char* format, Values... values) {
  char buffer[256];
  const int n = std::snprintf(buffer, sizeof buffer, format, values...);
  out.append(buffer, static_cast<size_t>(std::min(n, static_cast<int>(sizeof buffer) - 1)));
}

// The integer that starts field `column` (0-based) of an unquoted CSV line, or -1 when there is
// none (the logs hold no negative steps).
long long integer_field(const std::string& line, size_t column) {
  size_t begin = 0;
  for (size_t i = 0; i < column; ++i) {
    begin = line.find(',', begin);
    if (begin == std::string::npos) return -1;
    ++begin;
  }
  char* end = nullptr;
  const long long value = std::strtoll(line.c_str() + begin, &end, 10);
  return end == line.c_str() + begin ? -1 : value;
}

// Rewrites `path` (atomically) with `header` and the complete rows whose step (field `column`)
// is <= max_step. A torn last line, never finished by its writer, is dropped.
void keep_rows(const std::filesystem::path& path, const char* header, size_t column,
               int64_t max_step) {
  std::string kept = header;
  if (std::filesystem::exists(path)) {
    const std::string text = read_whole_lines(path);
    size_t begin = text.find('\n');  // past the header
    while (begin != std::string::npos) {
      ++begin;
      const size_t end = text.find('\n', begin);
      if (end == std::string::npos) break;
      const std::string line = text.substr(begin, end - begin);
      const long long step = integer_field(line, column);
      if (step >= 0 && step <= max_step) kept += line + "\n";
      begin = end;
    }
  }
  write_file_atomically(path, kept);
}

}  // namespace

RunLogs::RunLogs(const std::filesystem::path& dir)
    : train_(dir / "train_log.csv"), val_(dir / "val_log.csv") {}

void RunLogs::start() {
  pending_.clear();
  write_file_atomically(train_, kTrainHeader);
  write_file_atomically(val_, kValHeader);
}

void RunLogs::resume(int64_t step, int64_t validated_step) {
  pending_.clear();
  keep_rows(train_, kTrainHeader, 0, step);
  keep_rows(val_, kValHeader, 1, validated_step);
}

void RunLogs::add_step(const StepRow& r) {
  append_row(pending_, "%lld,%.4f,%.9g,%.9g,%.9g,%.2f,%.2f\n", static_cast<long long>(r.step),
             r.epoch, r.loss, r.lr, r.grad_norm, r.seqs_per_s, r.elapsed_s);
}

void RunLogs::flush() {
  if (pending_.empty()) return;
  append_file_durably(train_, pending_);
  pending_.clear();
}

void RunLogs::add_validation(const ValidationRow& r) {
  std::string row;
  append_row(row, "%.4f,%lld,%.9g,%.9g,%.9g,%.2f\n", r.epoch, static_cast<long long>(r.step),
             r.val_loss, r.val_micro_f1, r.val_macro_f1, r.elapsed_s);
  append_file_durably(val_, row);
}

}  // namespace greenbert
