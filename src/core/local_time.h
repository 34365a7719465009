#pragma once
// The current local time as text, for timestamps in emissions rows, manifests and reports.
#include <ctime>
#include <string>

namespace greenbert {

// strftime `format` of now, local time; the default is ISO 8601 without a zone
// ("2026-11-26T05:10:55"), as CodeCarbon's timestamp column has it.
inline std::string local_time_text(const char* format = "%Y-%m-%dT%H:%M:%S") {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, format, &local);
  return buffer;
}

}  // namespace greenbert
