#include "core/openmp_env.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace greenbert {

void apply_openmp_wait_default(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  if (setenv("GOMP_SPINCOUNT", kDefaultSpinCount, 1) != 0) return;
  execv("/proc/self/exe", argv);
}

std::string openmp_wait_description() {
  std::string text;
  for (const char* name : {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"})
    if (const char* value = std::getenv(name))
      text += cat(text.empty() ? "" : " ", name, "=", value);
  return text.empty() ? "libgomp default (spin ~300,000 pauses, then sleep)" : text;
}

}  // namespace greenbert
