#include "cli/failure_report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

#include "cli/exit_codes.h"
#include "core/error.h"
#include "core/memory_limit.h"
#include "core/threads.h"

namespace greenbert::cli {

int report_failure(const std::exception& e) {
  std::string message;
  // std::length_error: a container asked for more than it can ever hold, a size read from
  // somewhere no file should have put it.
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr ||
      dynamic_cast<const std::length_error*>(&e) != nullptr) {
    const MemoryLimit limit = memory_limit();
    message = cat("out of memory: an allocation failed; this process may use ",
                  format_bytes(limit.bytes), " (", limit.source,
                  "). Smaller --batch-size, --max-length or --threads, or a smaller model or "
                  "input, need less");
  } else if (const auto* fs = dynamic_cast<const std::filesystem::filesystem_error*>(&e)) {
    message = fs->path1().empty() ? fs->code().message()
                                  : cat(fs->path1().string(), ": ", fs->code().message());
  } else if (const auto* sys = dynamic_cast<const std::system_error*>(&e);
             sys != nullptr && sys->code() == std::errc::resource_unavailable_try_again) {
    message = cat("cannot start a thread (", sys->code().message(),
                  "): the limit on processes and threads (ulimit -u) or memory is reached; use "
                  "fewer --threads");
  } else {
    std::fprintf(stderr, "greenbert: internal error: %s\n", e.what());
    return kExitError;
  }
  std::fprintf(stderr, "greenbert: error: %s\n", message.c_str());
  return kExitError;
}

std::string openmp_environment_problem() {
  for (const char* name : {"OMP_NUM_THREADS", "OMP_THREAD_LIMIT"}) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    // A list ("8,2") gives the threads of each nesting level; each is bounded.
    std::string text = value;
    for (size_t start = 0; start <= text.size();) {
      const size_t comma = std::min(text.find(',', start), text.size());
      const std::string item = text.substr(start, comma - start);
      const long long threads = std::strtoll(item.c_str(), nullptr, 10);
      if (threads > max_thread_count())  // libgomp itself ignores what is not a count
        return cat(thread_count_problem(threads, name), " (set in the environment)");
      start = comma + 1;
    }
  }
  return "";
}

}  // namespace greenbert::cli
