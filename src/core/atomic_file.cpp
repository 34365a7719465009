#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace greenbert {
namespace {

void fsync_path(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;  // best effort: some filesystems refuse to open directories
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write) {
  auto tmp = path;
  tmp += cat(".tmp.", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(tmp.string(), ": cannot create: ", std::strerror(errno));
    write(out);
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp);
      fail(tmp.string(), ": write failed: ", std::strerror(errno));
    }
  }
  fsync_path(tmp, O_RDONLY);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    fail(path.string(), ": cannot replace: ", ec.message());
  }
  auto dir = path.parent_path();
  fsync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

void append_file_durably(const std::filesystem::path& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail(path.string(), ": cannot open for append: ", std::strerror(errno));
  ssize_t written = ::write(fd, text.data(), text.size());
  int saved = errno;
  ::fsync(fd);
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()))
    fail(path.string(), ": append failed: ", std::strerror(saved));
}

bool create_file_if_absent(const std::filesystem::path& path, std::string_view contents) {
  if (std::filesystem::exists(path)) return false;
  // Unique per process and call, so threads of one process never share a temporary.
  static std::atomic<uint64_t> counter{0};
  auto tmp = path;
  tmp += cat(".tmp.", ::getpid(), ".", counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail(tmp.string(), ": cannot create: ", std::strerror(errno));
  ssize_t written = ::write(fd, contents.data(), contents.size());
  int saved = errno;
  ::fsync(fd);
  ::close(fd);
  if (written != static_cast<ssize_t>(contents.size())) {
    ::unlink(tmp.c_str());
    fail(tmp.string(), ": write failed: ", std::strerror(saved));
  }
  int linked = ::link(tmp.c_str(), path.c_str());
  saved = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && saved != EEXIST)
    fail(path.string(), ": cannot create: ", std::strerror(saved));
  auto dir = path.parent_path();
  fsync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
  return linked == 0;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(path.string(), ": cannot open: ", std::strerror(errno));
  std::string contents(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!in) fail(path.string(), ": read failed: ", std::strerror(errno));
  return contents;
}

}  // namespace greenbert
