#include "train/csv_log.h"

#include <cstdlib>

#include "core/atomic_file.h"

namespace greenbert {
namespace {

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

}  // namespace

void keep_log_rows(const std::filesystem::path& path, const char* header, size_t column,
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

}  // namespace greenbert
