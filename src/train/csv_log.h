#pragma once
// The pieces of an append-only CSV log that a resumed run can cut back to its checkpoint
// (train/run_logs.h, the pre-training's held-out log).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace greenbert {

// Appends one formatted row to `out` (no allocation once `out` has grown). %.9g keeps a float's
// value exactly.
template <typename... Values>
void append_csv_row(std::string& out, const char* format, Values... values) {
  char buffer[256];
  const int n = std::snprintf(buffer, sizeof buffer, format, values...);
  out.append(buffer, static_cast<size_t>(std::min(n, static_cast<int>(sizeof buffer) - 1)));
}

// Rewrites `path` (atomically) with `header` and the complete rows whose step (the integer that
// starts field `column`, 0-based) is <= max_step. A torn last line, never finished by its
// writer, is dropped; a missing file is created with its header.
void keep_log_rows(const std::filesystem::path& path, const char* header, size_t column,
                   int64_t max_step);

}  // namespace greenbert
