#include "cli/precision_option.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace greenbert::cli {

std::string precision_choices(const std::vector<Precision>& allowed) {
  std::string text;
  for (size_t i = 0; i < allowed.size(); ++i)
    text += cat(i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ", precision_name(allowed[i]));
  return text;
}

CLI::Validator precision_check(std::vector<Precision> allowed) {
  const std::string choices = precision_choices(allowed);
  return CLI::Validator(
      [allowed, choices](std::string& name) -> std::string {
        try {
          const Precision p = parse_precision(name);
          if (std::find(allowed.begin(), allowed.end(), p) != allowed.end()) return "";
        } catch (const Error&) {
        }
        return cat("'", name, "' is not a precision here (", choices, ")");
      },
      "{" + choices + "}");
}

void add_precision_option(CLI::App& command, std::optional<Precision>& precision) {
  command
      .add_option_function<std::string>(
          "--precision",
          [&precision](const std::string& name) { precision = parse_precision(name); },
          "Precision to run at (default: the model directory's). An fp32 directory runs at any "
          "of them, quantized in memory as `greenbert quantize` would; a quantized one only at "
          "its own")
      ->check(precision_check({Precision::fp32, Precision::bf16, Precision::int8}));
}

}  // namespace greenbert::cli
