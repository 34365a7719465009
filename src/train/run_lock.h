#pragma once
// What every command that writes a run directory over a long time needs (train, pretrain): one
// process per directory, and no temporaries left by a killed one.
#include <filesystem>
#include <string>

namespace greenbert {

// An exclusive lock on DIR/NAME.lock for this object's life: a second process would interleave
// logs and overwrite the other's checkpoints. The lock goes away with the process, however it
// ends. Throws greenbert::Error "DIR: another `greenbert COMMAND` is using this run directory".
class RunDirLock {
 public:
  RunDirLock(const std::filesystem::path& dir, const std::string& command);
  ~RunDirLock();
  RunDirLock(const RunDirLock&) = delete;
  RunDirLock& operator=(const RunDirLock&) = delete;

 private:
  int fd_ = -1;
};

// Removes the temporaries of atomic writes ("NAME.tmp.PID") that a killed process left in DIR.
void remove_stale_temporaries(const std::filesystem::path& dir);

}  // namespace greenbert
