#include "cli/precision_option.h"

#include <string>

namespace greenbert::cli {

void add_precision_option(CLI::App& command, std::optional<InferencePrecision>& precision) {
  command
      .add_option_function<std::string>(
          "--precision",
          [&precision](const std::string& name) { precision = parse_inference_precision(name); },
          "Precision to run at (default: the model directory's). An fp32 directory runs at any "
          "of them, quantized in memory as `greenbert quantize` would; a quantized one only at "
          "its own")
      ->check(CLI::IsMember({"fp32", "bf16", "int8"}));
}

}  // namespace greenbert::cli
