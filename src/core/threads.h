#pragma once
// One place that decides how many threads the kernels (OpenMP and oneDNN) use.

namespace greenbert {

// Physical cores of this machine (hyper-threads share an FPU and only add heat for GEMM).
int physical_core_count();

// Sets the thread count for everything that follows; 0 means physical_core_count().
// Returns the count in effect.
int set_thread_count(int threads);

}  // namespace greenbert
