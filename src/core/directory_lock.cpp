#include "core/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace greenbert {

DirectoryLock::DirectoryLock(const std::filesystem::path& dir, const std::string& lock_file,
                             const std::string& busy_message) {
  const auto path = dir / lock_file;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path.string(), ": cannot open the lock file: ", std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fail(dir.string(), ": ", busy_message);
  }
}

DirectoryLock::~DirectoryLock() {
  ::close(fd_);
}

}  // namespace greenbert
