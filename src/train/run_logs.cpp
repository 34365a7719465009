#include "train/run_logs.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/atomic_file.h"
#include "core/error.h"
#include "train/csv_log.h"

namespace greenbert {
namespace {

constexpr const char* kTrainHeader = "step,epoch,loss,lr,grad_norm,seqs_per_s,elapsed_s\n";
constexpr const char* kValHeader = "epoch,step,val_loss,val_micro_f1,val_macro_f1,elapsed_s\n";

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
  keep_log_rows(train_, kTrainHeader, 0, step);
  keep_log_rows(val_, kValHeader, 1, validated_step);
}

void RunLogs::add_step(const StepRow& r) {
  append_csv_row(pending_, "%lld,%.4f,%.9g,%.9g,%.9g,%.2f,%.2f\n", static_cast<long long>(r.step),
                 r.epoch, r.loss, r.lr, r.grad_norm, r.seqs_per_s, r.elapsed_s);
}

void RunLogs::flush() {
  if (pending_.empty()) return;
  append_file_durably(train_, pending_);
  pending_.clear();
}

void RunLogs::add_validation(const ValidationRow& r) {
  std::string row;
  append_csv_row(row, "%.4f,%lld,%.9g,%.9g,%.9g,%.2f\n", r.epoch, static_cast<long long>(r.step),
                 r.val_loss, r.val_micro_f1, r.val_macro_f1, r.elapsed_s);
  append_file_durably(val_, row);
}

}  // namespace greenbert
