#include "core/process_group.h"

#include <cstdlib>
#include <string_view>

namespace greenbert {

namespace {

ProcessGroup& current_group() {
  static ProcessGroup group;
  return group;
}

}  // namespace

const ProcessGroup& process_group() {
  return current_group();
}

void join_process_group(ProcessGroup group) {
  current_group() = std::move(group);
}

bool started_as_one_of_several_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && std::atoi(value) > 1) return true;
  }
  return false;
}

}  // namespace greenbert
