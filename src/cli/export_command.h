#pragma once
// `greenbert export` runs as greenbert-export, a companion executable (cli/companion.h says why);
// its options and work are in export.cpp, its main in export_main.cpp.
#include <CLI/CLI.hpp>

#include "cli/companion.h"

namespace greenbert::cli {

inline constexpr Companion kExport{
    "export", "greenbert-export",
    "Write a model directory as a Hugging Face directory (config, safetensors, tokenizer.json, "
    "ONNX for transformers.js) or as ONNX models for ONNX Runtime"};

// greenbert-export's command line on `app`: the export options, and the export as its callback.
void add_export_options(CLI::App& app);

}  // namespace greenbert::cli
