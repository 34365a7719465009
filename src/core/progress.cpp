#include "core/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace greenbert {
namespace {

constexpr double kTtyRedrawSeconds = 0.25;
constexpr double kLogEverySeconds = 10.0;

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--:--";
  auto total = static_cast<int64_t>(seconds + 0.5);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  return buffer;
}

Progress::Progress(std::string label, int64_t total, std::string unit, int64_t start)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      start_count_(start),
      done_(start),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(int64_t done, const std::string& extra) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? kTtyRedrawSeconds : kLogEverySeconds)) return;
  last_draw_ = now;
  draw(false, extra);
}

void Progress::finish(const std::string& extra) {
  draw(true, extra);
}

void Progress::draw(bool final, const std::string& extra) {
  double elapsed = elapsed_seconds();
  double rate = elapsed > 0 ? static_cast<double>(done_ - start_count_) / elapsed : 0.0;
  double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : NAN;
  std::string line = cat(label_, " ", done_);
  if (total_ > 0) {
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.1f",
                  100.0 * static_cast<double>(done_) / static_cast<double>(total_));
    line += cat("/", total_, " (", percent, "%)");
  }
  char speed[32];
  std::snprintf(speed, sizeof speed, "%.1f", rate);
  line += cat(" ", speed, " ", unit_, "/s elapsed ", format_duration(elapsed));
  if (!final && total_ > 0) line += cat(" eta ", format_duration(eta));
  if (!extra.empty()) line += cat(" | ", extra);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace greenbert
