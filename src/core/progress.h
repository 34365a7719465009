#pragma once
// A one-line progress display for long jobs: "label 1234/5000 (24.7%) 812.3 items/s elapsed
// 00:01:31 eta 00:04:38 | extra". Redraws in place on a terminal (at most ~4 times a second),
// prints a plain line every `log_every_seconds` otherwise so CI logs stay short.
#include <chrono>
#include <cstdint>
#include <string>

namespace greenbert {

class Progress {
 public:
  // `start`: the count already done when this job (re)starts, e.g. a resumed training run;
  // the rate and ETA count only what is done from there.
  Progress(std::string label, int64_t total, std::string unit = "items", int64_t start = 0);
  // Sets the absolute count done so far; `extra` is appended to the line (loss, energy...).
  void update(int64_t done, const std::string& extra = "");
  // Prints the final line with a newline.
  void finish(const std::string& extra = "");
  double elapsed_seconds() const;

 private:
  void draw(bool final, const std::string& extra);

  std::string label_;
  std::string unit_;
  int64_t total_;
  int64_t start_count_ = 0;
  int64_t done_ = 0;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "01:02:03" for a duration in seconds.
std::string format_duration(double seconds);

}  // namespace greenbert
