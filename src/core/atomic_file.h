#pragma once
// Files that are either fully written or not there at all, and that never follow a link an
// attacker planted. A new file is written to a temporary beside its target, named
// "<name>.tmp.<6 random letters or digits>" and created with O_CREAT|O_EXCL|O_NOFOLLOW (never an
// existing file, never through a symbolic link), fsynced, renamed over the target (rename
// replaces a link at the target, it does not follow it), and the directory fsynced; every
// write's and fsync's result is checked, and errors name the target and the real cause. A crash
// or a full disk at any moment leaves the old file or the new one, never a torn one.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace greenbert {

// Calls write(out) on a stream backed by a temporary file, then atomically replaces `path`.
// Throws greenbert::Error "PATH: cannot write: <strerror>" when a write, fsync or the rename
// fails (the old file is then untouched and the temporary removed); an exception from `write`
// also removes the temporary and propagates.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Appends whole lines (`text` ends with '\n') to a line-oriented file, all of them or none:
// under an exclusive flock, a write that fails part-way (full disk, file size limit) is undone
// by truncating the file back, and the error names its cause. A torn last line that an older
// writer or a crash left behind (no '\n' at the end of the file) is dropped first, with a
// warning on stderr, so new lines never glue onto a fragment. Then fsync. Concurrent appenders
// never interleave.
void append_file_durably(const std::filesystem::path& path, std::string_view text);

// Creates `path` holding exactly `contents` unless it already exists, atomically: concurrent
// callers never see a half-written file and exactly one of them creates it (written to a
// temporary, then link(2)ed into place). Returns whether this call created it.
bool create_file_if_absent(const std::filesystem::path& path, std::string_view contents);

// The contents of the regular file `path` (a FIFO, device or directory is refused by name: its
// size would be unbounded or meaningless).
std::string read_file(const std::filesystem::path& path);

// The contents of a line-oriented file that append_file_durably writes, up to its last '\n': a
// torn last line (an append a crash or an older version interrupted) is no record, and is left
// out with a warning on stderr, as the next append would drop it.
std::string read_whole_lines(const std::filesystem::path& path);

// How many whole lines (ending in '\n') such a file holds, read in blocks (constant memory); 0
// when it does not exist. A torn last line is not counted.
int64_t count_whole_lines(const std::filesystem::path& path);

// Whether `name` is one of the temporaries above, or of publish_directory
// (core/publish_directory.h): "<name>.tmp.<6 letters or digits>" (or "<name>.tmp.<pid>", as
// older versions named them).
bool is_temporary_name(std::string_view name);

// Removes the temporaries (files and directories) that killed processes left in `dir`. Only for
// a caller that owns `dir` exclusively (a live writer's temporary would be removed too).
void remove_stale_temporaries(const std::filesystem::path& dir);

// fsync of the directory `dir` (a rename or a new entry in it is then durable). Throws
// greenbert::Error naming the directory when fsync fails; filesystems that cannot fsync a
// directory (EINVAL) are accepted.
void sync_directory(const std::filesystem::path& dir);

// A fresh name "<target>.tmp.<6 letters or digits>" in target's directory, for a temporary the
// caller creates exclusively (O_EXCL, mkdir), retrying on EEXIST.
std::filesystem::path temporary_name_for(const std::filesystem::path& target);

// A new empty directory named as above, created by this call (mode 0777 less the umask).
std::filesystem::path create_temporary_directory(const std::filesystem::path& target);

}  // namespace greenbert
