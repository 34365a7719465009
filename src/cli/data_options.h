#pragma once
// The options of every command that reads arXiv data (data stats, data split, and the commands
// that train or evaluate on it): where the data is, how to read it, how to prepare it.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "data/split_directory.h"

namespace greenbert::cli {

struct DataOptions {
  std::string data;
  std::string format = "auto";
  std::string title_column;
  std::string text_column;
  std::string terms_column;
  std::string on_error = "fail";
  int64_t max_rows = 0;
  uint64_t seed = 42;
  std::string split_ratios = "0.9,0.05,0.05";
  std::string text = "abstract";
};

// Adds --data and the reader and preparation options to `command`.
void add_data_options(CLI::App& command, DataOptions& options, bool required = true);

LoadOptions to_load_options(const DataOptions& options);

// Tells on stderr what loading left out: bad rows skipped, labels seen only outside train.
void print_load_warnings(const Dataset& dataset);

}  // namespace greenbert::cli
