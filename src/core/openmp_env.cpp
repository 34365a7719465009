#include "core/openmp_env.h"

#include <unistd.h>

#include <cstdlib>

namespace greenbert {

void apply_openmp_wait_default(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  if (setenv("GOMP_SPINCOUNT", kDefaultSpinCount, 1) != 0) return;
  execv("/proc/self/exe", argv);
}

}  // namespace greenbert
