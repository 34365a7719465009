#pragma once
// How idle OpenMP threads wait. libgomp's default spins ~300,000 times (each `pause` is ~140
// cycles on recent Intel cores: milliseconds) before sleeping, after every parallel region and
// at every barrier: CPU time (energy) burnt while idle, and on a loaded machine a spinning
// thread takes the core its partner needs, which multiplied bert-tiny's latency by 30 here
// (src/infer/session.h; README "Threads"). libgomp reads its environment once, when it loads,
// so a program that wants another default must set it and re-execute itself.
#include <string>

namespace greenbert {

// The GOMP_SPINCOUNT greenbert uses when neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set.
inline constexpr const char* kDefaultSpinCount = "100";

// When the user set neither variable: sets GOMP_SPINCOUNT=kDefaultSpinCount and re-executes
// /proc/self/exe with the same arguments (does not return). Otherwise returns at once; also
// returns if re-execution fails (the program then runs with libgomp's defaults).
void apply_openmp_wait_default(char** argv);

// "GOMP_SPINCOUNT=100", "OMP_WAIT_POLICY=passive"... as set for this process, or libgomp's
// default when neither is.
std::string openmp_wait_description();

}  // namespace greenbert
