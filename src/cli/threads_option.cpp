#include "cli/threads_option.h"

#include "core/error.h"
#include "core/threads.h"

namespace greenbert::cli {

void add_threads_option(CLI::App& command, int& threads, const std::string& help) {
  command
      .add_option("--threads", threads,
                  cat(help, " (0: the physical cores; at most ", max_thread_count(), ")"))
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            long long value = 0;
            size_t used = 0;
            try {
              value = std::stoll(text, &used);
            } catch (const std::exception&) {
              return cat(text, " is not a whole number");
            }
            if (used != text.size()) return cat(text, " is not a whole number");
            return thread_count_problem(value, "");
          },
          "", "thread count"))
      ->capture_default_str();
}

}  // namespace greenbert::cli
