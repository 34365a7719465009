#pragma once
// How element-wise kernels use threads and vector units.
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace greenbert {

// When a loop is worth an OpenMP team: below ~32K values a fork/join costs more than the loop
// (and much more on a loaded machine, where a descheduled thread stalls the team).
inline bool parallel_worth(int64_t work) {
  return work >= (int64_t{1} << 15);
}

// Calls body(begin, end) on contiguous ranges splitting [0, n), one per thread when the total
// work (n · work_per_item) is worth a team, else (or inside a parallel region) once on the
// whole range.
template <typename Body>
void parallel_ranges(int64_t n, int64_t work_per_item, Body&& body) {
  if (!parallel_worth(n * work_per_item) || omp_in_parallel()) {
    body(int64_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t per = (n + threads - 1) / threads;
    const int64_t begin = std::min(n, thread * per), end = std::min(n, begin + per);
    if (begin < end) body(begin, end);
  }
}

}  // namespace greenbert

// Hot loops are compiled for the x86-64 feature levels v4 (AVX-512 F/BW/CD/DQ/VL), v3 (AVX2)
// and baseline; the best level the CPU supports is chosen when the program loads (GCC function
// multi-versioning; "arch=<cpu model>" clones would match CPU models, not features).
// Floating-point contraction is off (ISO C++ mode), so every variant computes bit-identical
// results.
#define GREENBERT_ISA_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
