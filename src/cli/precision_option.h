#pragma once
// Options that name a precision (core/precision.h): their help shows the one spelling (fp32,
// bf16, int8); the old "f32" is still accepted, as scripts and study manifests may use it.
#include <CLI/CLI.hpp>
#include <optional>
#include <vector>

#include "core/precision.h"

namespace greenbert::cli {

// Accepts the names of `allowed` (in any spelling parse_precision reads).
CLI::Validator precision_check(std::vector<Precision> allowed);
// "fp32, bf16 or int8" for `allowed`.
std::string precision_choices(const std::vector<Precision>& allowed);

// `--precision` of the commands that classify (eval, predict): the precision the inference
// session runs a model directory at.
void add_precision_option(CLI::App& command, std::optional<Precision>& precision);

}  // namespace greenbert::cli
