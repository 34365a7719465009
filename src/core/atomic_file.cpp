#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "core/error.h"

namespace greenbert {
namespace {

constexpr std::string_view kTemporaryMark = ".tmp.";
constexpr size_t kRandomLength = 6;

// Writes all of `data` to `fd`, through short writes and EINTR; 0 or the errno of the failure.
int write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;  // a regular file accepts nothing only when it cannot grow
    data += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

// A stream buffer over a file descriptor that keeps the errno of its first failed write (a
// std::ofstream loses it: errno is stale by the time the stream reports failure).
class FileOutput : public std::streambuf {
 public:
  explicit FileOutput(int fd) : fd_(fd), buffer_(size_t{1} << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    if (static_cast<size_t>(size) < buffer_.size()) return std::streambuf::xsputn(data, size);
    if (!drain() || !keep(write_all(fd_, data, static_cast<size_t>(size)))) return 0;
    return size;
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool keep(int error) {
    if (error_ == 0) error_ = error;
    return error_ == 0;
  }
  bool drain() {
    const auto pending = static_cast<size_t>(pptr() - pbase());
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0 && keep(write_all(fd_, buffer_.data(), pending));
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// A temporary created exclusively beside `target`: never an existing file or a link.
struct Temporary {
  std::filesystem::path path;
  int fd = -1;
};

Temporary create_temporary(const std::filesystem::path& target) {
  for (int attempt = 0;; ++attempt) {
    Temporary t{temporary_name_for(target), -1};
    t.fd = ::open(t.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (t.fd >= 0) return t;
    if (errno != EEXIST || attempt == 100)
      fail(target.string(), ": cannot create a temporary file beside it: ", std::strerror(errno));
  }
}

// Closes and removes the temporary unless the caller kept it.
class TemporaryGuard {
 public:
  explicit TemporaryGuard(Temporary& t) : t_(t) {}
  ~TemporaryGuard() {
    if (t_.fd >= 0) ::close(t_.fd);
    if (!kept_) ::unlink(t_.path.c_str());
  }
  TemporaryGuard(const TemporaryGuard&) = delete;
  TemporaryGuard& operator=(const TemporaryGuard&) = delete;
  void keep() { kept_ = true; }

 private:
  Temporary& t_;
  bool kept_ = false;
};

// fsync and close of a freshly written temporary; errno of the failure, or 0.
int finish_temporary(Temporary& t) {
  int error = ::fsync(t.fd) == 0 ? 0 : errno;
  if (::close(t.fd) != 0 && error == 0) error = errno;
  t.fd = -1;
  return error;
}

// The file's offset just past its last '\n' (0 when it has none), read backwards from `size`.
off_t end_of_last_line(int fd, off_t size) {
  char block[4096];
  off_t end = size;
  while (end > 0) {
    const off_t start = std::max<off_t>(0, end - static_cast<off_t>(sizeof block));
    const ssize_t n = ::pread(fd, block, static_cast<size_t>(end - start), start);
    if (n != end - start) return -1;
    for (ssize_t i = n; i-- > 0;)
      if (block[i] == '\n') return start + i + 1;
    end = start;
  }
  return 0;
}

bool is_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_alphanumeric(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

void warn_torn_tail(const std::filesystem::path& path, size_t bytes, const char* action) {
  std::fprintf(stderr,
               "greenbert: warning: %s: %s a torn last line (%zu bytes without an end of line, "
               "left by an interrupted write)\n",
               path.c_str(), action, bytes);
}

}  // namespace

std::filesystem::path temporary_name_for(const std::filesystem::path& target) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 generator{(uint64_t{std::random_device{}()} << 32) ^
                                         std::random_device{}()};
  std::string suffix(kRandomLength, ' ');
  for (char& c : suffix) c = kAlphabet[generator() % (sizeof kAlphabet - 1)];
  auto path = target;
  path += cat(kTemporaryMark, suffix);
  return path;
}

std::filesystem::path create_temporary_directory(const std::filesystem::path& target) {
  for (int attempt = 0;; ++attempt) {
    std::filesystem::path path = temporary_name_for(target);
    if (::mkdir(path.c_str(), 0777) == 0) return path;
    if (errno != EEXIST || attempt == 100)
      fail(target.string(), ": cannot create a directory beside it: ", std::strerror(errno));
  }
}

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write) {
  Temporary t = create_temporary(path);
  TemporaryGuard guard(t);
  FileOutput buffer(t.fd);
  std::ostream out(&buffer);
  write(out);
  out.flush();
  int error = buffer.error();
  if (error == 0 && !out) error = EIO;
  if (error == 0) error = finish_temporary(t);
  if (error != 0) fail(path.string(), ": cannot write: ", std::strerror(error));
  if (::rename(t.path.c_str(), path.c_str()) != 0)
    fail(path.string(), ": cannot replace: ", std::strerror(errno));
  guard.keep();
  sync_directory(directory_of(path));
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

void append_file_durably(const std::filesystem::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) fail(path.string(), ": cannot open for appending: ", std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }  // also releases the lock
  } closer{fd};
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) fail(path.string(), ": cannot lock for appending: ", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(path.string(), ": cannot append: ", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(path.string(), ": cannot append: not a regular file");
  off_t size = st.st_size;
  if (size > 0) {
    const off_t whole = end_of_last_line(fd, size);
    if (whole < 0) fail(path.string(), ": cannot append: cannot read its end");
    if (whole != size) {
      if (::ftruncate(fd, whole) != 0)
        fail(path.string(), ": cannot drop a torn last line: ", std::strerror(errno));
      warn_torn_tail(path, static_cast<size_t>(size - whole), "dropped");
      size = whole;
    }
  }
  int error = write_all(fd, text.data(), text.size());
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (error != 0) {
    // All or nothing: the part that reached the file goes again.
    const bool undone = ::ftruncate(fd, size) == 0 && ::fsync(fd) == 0;
    fail(path.string(), ": cannot append: ", std::strerror(error),
         undone ? " (nothing was appended)" : " (and the partial line could not be removed)");
  }
}

int64_t count_whole_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return 0;
    fail(path.string(), ": cannot open");
  }
  int64_t lines = 0;
  std::vector<char> block(1 << 16);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    lines += std::count(block.begin(), block.begin() + in.gcount(), '\n');
  }
  if (in.bad()) fail(path.string(), ": read failed");
  return lines;
}

bool create_file_if_absent(const std::filesystem::path& path, std::string_view contents) {
  if (std::filesystem::exists(std::filesystem::symlink_status(path))) return false;
  Temporary t = create_temporary(path);
  TemporaryGuard guard(t);
  int error = write_all(t.fd, contents.data(), contents.size());
  if (error == 0) error = finish_temporary(t);
  if (error != 0) fail(path.string(), ": cannot write: ", std::strerror(error));
  // link(2) never replaces: exactly one concurrent caller succeeds.
  if (::link(t.path.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return false;
    fail(path.string(), ": cannot create: ", std::strerror(errno));
  }
  sync_directory(directory_of(path));
  return true;
}

std::string read_file(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO planted at `path` returns at once (and is then refused); it has
  // no effect on reading a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail(path.string(), ": cannot open: ", std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(path.string(), ": cannot read: ", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(path.string(), ": not a regular file");
  // Read to the end: the size is where to start (a file may grow while read, and /proc files
  // say 0).
  std::string contents(static_cast<size_t>(st.st_size) + 1, '\0');
  size_t done = 0;
  while (true) {
    if (done == contents.size()) contents.resize(contents.size() * 2);
    const ssize_t n = ::read(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path.string(), ": cannot read: ", std::strerror(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  contents.resize(done);
  return contents;
}

std::string read_whole_lines(const std::filesystem::path& path) {
  std::string text = read_file(path);
  const size_t whole = text.rfind('\n') + 1;  // npos + 1 == 0
  if (whole != text.size()) {
    warn_torn_tail(path, text.size() - whole, "ignoring");
    text.resize(whole);
  }
  return text;
}

bool is_temporary_name(std::string_view name) {
  const size_t at = name.rfind(kTemporaryMark);
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view suffix = name.substr(at + kTemporaryMark.size());
  return (suffix.size() == kRandomLength && is_alphanumeric(suffix)) || is_digits(suffix);
}

void remove_stale_temporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (is_temporary_name(entry.path().filename().string()))
      std::filesystem::remove_all(entry.path());  // a link itself, never what it points to
  }
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir.string(), ": cannot open the directory to sync it: ", std::strerror(errno));
  const int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  if (error != 0 && error != EINVAL)
    fail(dir.string(), ": cannot sync the directory: ", std::strerror(error));
}

}  // namespace greenbert
