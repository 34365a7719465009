#pragma once
// One place that decides how many threads the kernels (OpenMP and oneDNN) use.
#include <string>

namespace greenbert {

// Physical cores of this machine (hyper-threads share an FPU and only add heat for GEMM).
int physical_core_count();

// Logical CPUs online on this machine.
int logical_cpu_count();

// The most threads greenbert accepts: 4 x the logical CPUs, and never more than 1,024. Beyond
// that, threads only cost memory (a stack and per-thread buffers each: 20,000 threads grew to
// 22.8 GB) and libgomp fails to create them.
int max_thread_count();

// "OMP_NUM_THREADS 20000 is more than 8, the most greenbert uses on this machine (4 x its 2
// logical CPUs, at most 1024)..." when threads is out of [0, max_thread_count()], else "".
// `what` names the setting ("OMP_NUM_THREADS"), or is "" where the caller names it.
std::string thread_count_problem(long long threads, const char* what);

// Sets the thread count for everything that follows; 0 means physical_core_count(). Throws
// greenbert::Error for a count outside [0, max_thread_count()], or one that cannot be started
// under this process's limits (ulimit -u, -v, -s). Returns the count in effect.
int set_thread_count(int threads);

}  // namespace greenbert
