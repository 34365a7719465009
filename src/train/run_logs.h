#pragma once
// The CSV logs of a training run, which the report plots:
//   RUN_DIR/train_log.csv  step,epoch,loss,lr,grad_norm,seqs_per_s,elapsed_s  (one row per
//                          optimizer update; epoch is fractional: 1.5 = half-way through epoch 2)
//   RUN_DIR/val_log.csv    epoch,step,val_loss,val_micro_f1,val_macro_f1,elapsed_s
// Rows are appended durably (one write(2) + fsync per append). Training rows are buffered and
// appended in groups — at least before every checkpoint, so the rows a checkpoint covers are
// always on disk. A resumed run first drops the rows written after its checkpoint, so the logs
// never show a step twice.
#include <cstdint>
#include <filesystem>
#include <string>

namespace greenbert {

struct StepRow {
  int64_t step = 0;
  double epoch = 0;
  double loss = 0;
  double lr = 0;
  double grad_norm = 0;
  double seqs_per_s = 0;
  double elapsed_s = 0;
};

struct ValidationRow {
  double epoch = 0;
  int64_t step = 0;
  double val_loss = 0;
  double val_micro_f1 = 0;
  double val_macro_f1 = 0;
  double elapsed_s = 0;
};

class RunLogs {
 public:
  explicit RunLogs(const std::filesystem::path& dir);

  // A new run: both files with their header only (replacing any).
  void start();
  // A resumed run: keeps the rows of steps <= step in train_log.csv and of validations at
  // steps <= validated_step in val_log.csv (a missing file is created with its header).
  void resume(int64_t step, int64_t validated_step);

  void add_step(const StepRow& row);              // buffered
  void flush();                                   // appends the buffered rows durably
  void add_validation(const ValidationRow& row);  // appended durably at once

  const std::filesystem::path& train_log() const { return train_; }
  const std::filesystem::path& val_log() const { return val_; }

 private:
  std::filesystem::path train_, val_;
  std::string pending_;
};

}  // namespace greenbert
