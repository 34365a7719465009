#pragma once
// `--precision` of the commands that classify (eval, predict): the precision the inference
// session runs a model directory at.
#include <CLI/CLI.hpp>
#include <optional>

#include "infer/precision.h"

namespace greenbert::cli {

void add_precision_option(CLI::App& command, std::optional<InferencePrecision>& precision);

}  // namespace greenbert::cli
