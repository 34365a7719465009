#pragma once
// One process at a time in a directory: an exclusive flock on a lock file inside it, taken
// without waiting and released when the object goes or the process ends, however it ends (a
// killed process leaves no stale lock). A training run and a study each hold one.
#include <filesystem>
#include <string>

namespace greenbert {

class DirectoryLock {
 public:
  // Locks DIR/lock_file (created if missing); throws greenbert::Error "DIR: <busy_message>"
  // when another process holds it.
  DirectoryLock(const std::filesystem::path& dir, const std::string& lock_file,
                const std::string& busy_message);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace greenbert
