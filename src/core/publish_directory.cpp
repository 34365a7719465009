#include "core/publish_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"

namespace greenbert {
namespace {

namespace fs = std::filesystem;

// Removes the staging directory unless it was published.
class StagingGuard {
 public:
  explicit StagingGuard(fs::path path) : path_(std::move(path)) {}
  ~StagingGuard() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  StagingGuard(const StagingGuard&) = delete;
  StagingGuard& operator=(const StagingGuard&) = delete;
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

// Every regular file of `staging` reaches the disk before the directory is published.
void sync_files(const fs::path& staging) {
  for (const auto& entry : fs::directory_iterator(staging)) {
    if (!entry.is_regular_file()) continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail(entry.path().string(), ": cannot open: ", std::strerror(errno));
    const int error = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    if (error != 0) fail(entry.path().string(), ": cannot write: ", std::strerror(error));
  }
}

// Refuses to replace `dir` when it holds anything `staging` does not hold again.
void check_replaceable(const fs::path& dir, const fs::path& staging, std::string_view what) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path name = entry.path().filename();
    if (is_temporary_name(name.string())) continue;  // debris of an interrupted write
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(staging / name, ec)))
      fail(dir.string(), ": holds '", name.string(), "', which ", what,
           " does not write; refusing to replace the directory (choose a new or empty one, or "
           "move it away)");
  }
}

// Puts `staging` in the place of the non-empty directory `dir`; the old one ends up at `staging`
// (removed by the caller's guard) or is removed here.
void swap_in(const fs::path& staging, const fs::path& dir) {
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) return;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    fail(dir.string(), ": cannot replace: ", std::strerror(errno));
  // No atomic exchange here: the old directory steps aside first.
  const fs::path aside = temporary_name_for(dir);
  if (::rename(dir.c_str(), aside.c_str()) != 0)
    fail(dir.string(), ": cannot replace: ", std::strerror(errno));
  if (::rename(staging.c_str(), dir.c_str()) != 0) {
    const int error = errno;
    ::rename(aside.c_str(), dir.c_str());
    fail(dir.string(), ": cannot replace: ", std::strerror(error));
  }
  std::error_code ignored;
  fs::remove_all(aside, ignored);
}

}  // namespace

void publish_directory(const fs::path& given, std::string_view what,
                       const std::function<void(const fs::path& staging)>& write) {
  // "out/" names the directory "out".
  const fs::path dir = given.has_filename() ? given : given.parent_path();
  if (dir.empty() || dir.filename() == "." || dir.filename() == "..")
    fail(what, ": '", given.string(),
         "' does not name a directory it can write as a whole: give one of its own");
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(dir, ec);
  if (fs::is_symlink(status))
    fail(dir.string(), ": is a symbolic link; ", what,
         " writes a directory of its own: give the real directory's path");
  if (fs::exists(status) && !fs::is_directory(status))
    fail(dir.string(), ": exists and is not a directory");
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) fail(parent.string(), ": cannot create: ", ec.message());

  const fs::path staging = create_temporary_directory(dir);
  StagingGuard guard(staging);
  try {
    write(staging);
    sync_files(staging);
    sync_directory(staging);
  } catch (const Error& e) {
    fail(dir.string(), ": left as it was: ", e.what());
  }
  // rename(2) replaces an absent or empty directory; anything else is swapped.
  if (::rename(staging.c_str(), dir.c_str()) == 0) {
    guard.release();
  } else {
    if (errno != ENOTEMPTY && errno != EEXIST)
      fail(dir.string(), ": cannot create: ", std::strerror(errno));
    check_replaceable(dir, staging, what);
    swap_in(staging, dir);  // the guard now removes the old directory
  }
  sync_directory(parent);
}

}  // namespace greenbert
