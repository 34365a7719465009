#pragma once
// When an element-wise loop is worth an OpenMP team: below ~32K values a fork/join costs more
// than the loop (and much more on a loaded machine, where a descheduled thread stalls the team).
#include <cstdint>

namespace greenbert {

inline bool parallel_worth(int64_t work) {
  return work >= (int64_t{1} << 15);
}

}  // namespace greenbert
