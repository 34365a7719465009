#pragma once
// Files that are either fully written or not there at all: write to "<path>.tmp.<pid>", fsync,
// rename over the target, fsync the directory. A crash at any moment leaves the old file or
// the new one, never a torn one.
#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <string_view>

namespace greenbert {

// Calls write(out) on a stream backed by a temporary file, then atomically replaces `path`.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Appends `text` to `path` with one write(2) on an O_APPEND descriptor followed by fsync, so
// concurrent or interrupted appends never interleave or truncate earlier rows.
void append_file_durably(const std::filesystem::path& path, std::string_view text);

// Creates `path` holding exactly `contents` unless it already exists, atomically: concurrent
// callers never see a half-written file and exactly one of them creates it (written to a
// temporary, then link(2)ed into place). Returns whether this call created it.
bool create_file_if_absent(const std::filesystem::path& path, std::string_view contents);

std::string read_file(const std::filesystem::path& path);

}  // namespace greenbert
