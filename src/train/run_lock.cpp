#include "train/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace greenbert {

RunDirLock::RunDirLock(const std::filesystem::path& dir, const std::string& command) {
  const auto path = dir / (command + ".lock");
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path.string(), ": cannot open: ", std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fail(dir.string(), ": another `greenbert ", command, "` is using this run directory");
  }
}

RunDirLock::~RunDirLock() {
  ::close(fd_);
}

void remove_stale_temporaries(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || at + 5 == name.size() || !entry.is_regular_file()) continue;
    const std::string pid = name.substr(at + 5);
    if (std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; }))
      std::filesystem::remove(entry.path());
  }
}

}  // namespace greenbert
