#pragma once
// How much memory this process may use, and a check to make before a large allocation: an
// allocation beyond it either throws std::bad_alloc far from its cause or, with Linux's
// overcommit, succeeds and gets the process OOM-killed later. Saying up front what was too big
// and which limit applies is what a user can act on.
#include <cstdint>
#include <string>
#include <string_view>

namespace greenbert {

struct MemoryLimit {
  uint64_t bytes = 0;
  std::string source;  // "physical memory", "ulimit -v", "ulimit -d", "cgroup memory.max"
};

// The smallest of physical memory, RLIMIT_AS, RLIMIT_DATA and this process's cgroup (v2) limit.
MemoryLimit memory_limit();

// "2.5 GiB", "900 MiB".
std::string format_bytes(uint64_t bytes);

// Throws greenbert::Error "<what> needs 37.3 GiB, more than the 15.6 GiB this process may use
// (physical memory)" when `bytes` exceeds memory_limit().
void check_fits_in_memory(uint64_t bytes, std::string_view what);

}  // namespace greenbert
