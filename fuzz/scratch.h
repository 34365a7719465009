#pragma once
// Readers that take a path get the fuzzer's bytes through a file: the reader under test is then
// exactly the one users run (read_file, existence checks and all), and no reader needed a second
// entry point for bytes. The files live in one directory per process (on tmpfs when there is
// one), removed when the process exits normally.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "target.h"

namespace greenbert::fuzz {

struct ScratchDir {
  std::filesystem::path path;

  ScratchDir() {
    const std::filesystem::path shm = "/dev/shm";
    const auto root =
        std::filesystem::is_directory(shm) ? shm : std::filesystem::temp_directory_path();
    path = root / ("greenbert-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline const std::filesystem::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

// scratch_dir()/name holding `bytes` (replaced if it exists).
inline std::filesystem::path scratch_file(const std::string& name, std::string_view bytes) {
  auto path = scratch_dir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
  return path;
}

// Reads `bytes` as the file `name` and writes what it read back as text: `header`, then each
// record as `format_record` writes it; that text must read back to the same text. A
// greenbert::Error from `read` is a clean refusal.
template <typename Read, typename FormatRecord>
void require_reads_back(const std::string& name, std::string_view bytes, Read read,
                        const std::string& header, FormatRecord format_record) {
  const auto format = [&](const auto& records) {
    std::string text = header;
    for (const auto& record : records) text += format_record(record);
    return text;
  };
  read_or_refuse([&] {
    const std::string written = format(read(scratch_file(name, bytes)));
    if (format(read(scratch_file("again-" + name, written))) != written)
      throw std::logic_error(name + " does not read back as written");
  });
}

}  // namespace greenbert::fuzz
