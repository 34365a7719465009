#include "core/option_differences.h"

#include <algorithm>

#include "core/error.h"

namespace greenbert {

std::string differing_options(const nlohmann::json& then, const nlohmann::json& now,
                              std::span<const std::string> ignored) {
  std::string text;
  for (const auto& [key, value] : now.items()) {
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) continue;
    const bool known = then.is_object() && then.contains(key);
    if (known && then[key] == value) continue;
    text += cat(text.empty() ? "" : ", ", "--", key, " ", known ? then[key].dump() : "(unset)",
                " (this command: ", value.dump(), ")");
  }
  return text;
}

}  // namespace greenbert
