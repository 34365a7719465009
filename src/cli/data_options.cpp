#include "cli/data_options.h"

#include <cstdio>

#include "core/error.h"

namespace greenbert::cli {

void add_data_options(CLI::App& command, DataOptions& options, bool required) {
  command
      .add_option("--data", options.data,
                  "Data file (.csv, or .json/.jsonl: Cornell's arXiv metadata snapshot) or a "
                  "split directory written by `greenbert data split`")
      ->required(required);
  command.add_option("--format", options.format, "Data file format; auto goes by the extension")
      ->check(CLI::IsMember({"auto", "csv", "jsonl"}))
      ->capture_default_str();
  command.add_option(
      "--title-column", options.title_column,
      "CSV column or JSON key of the title (default: titles for CSV, title for JSONL)");
  command.add_option("--text-column", options.text_column,
                     "CSV column or JSON key of the abstract (default: summaries for CSV, abstract "
                     "for JSONL)");
  command.add_option("--terms-column", options.terms_column,
                     "CSV column or JSON key of the categories (default: terms for CSV, categories "
                     "for JSONL)");
  command
      .add_option("--on-error", options.on_error,
                  "What a bad row does: fail stops with FILE:LINE: reason; skip leaves it out "
                  "and reports how many and which lines")
      ->check(CLI::IsMember({"fail", "skip"}))
      ->capture_default_str();
  command.add_option("--max-rows", options.max_rows, "Read at most this many papers (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command.add_option("--seed", options.seed, "Seed of the split (same seed, same split)")
      ->capture_default_str();
  // --split-ratios, not --split: eval's --split names the split to score.
  command
      .add_option("--split-ratios", options.split_ratios,
                  "Train, validation and test ratios (also 90/5/5), stratified by label-set")
      ->check(
          [](const std::string& text) {
            try {
              parse_split_ratios(text);
              return std::string();
            } catch (const Error& e) {
              return std::string(e.what());
            }
          },
          "RATIOS")
      ->capture_default_str();
  command
      .add_option("--text", options.text,
                  "Model input: the abstract (as in the study) or title and abstract as a pair")
      ->check(CLI::IsMember({"abstract", "title+abstract"}))
      ->capture_default_str();
}

LoadOptions to_load_options(const DataOptions& options) {
  LoadOptions load;
  load.read.format = options.format == "csv"     ? DataFormat::csv
                     : options.format == "jsonl" ? DataFormat::jsonl
                                                 : DataFormat::from_extension;
  load.read.fields = {options.title_column, options.text_column, options.terms_column};
  load.read.on_error = options.on_error == "skip" ? OnError::skip : OnError::fail;
  load.read.max_rows = options.max_rows;
  load.prepare.seed = options.seed;
  load.prepare.ratios = parse_split_ratios(options.split_ratios);
  load.prepare.text = parse_text_input(options.text).value_or(TextInput::abstract);
  return load;
}

void print_load_warnings(const Dataset& dataset) {
  for (const auto& read : dataset.reads) {
    if (read.skipped > 0)
      std::fprintf(stderr, "greenbert: warning: %s\n", describe_skipped(read).c_str());
  }
  const auto& unseen = dataset.report.unseen_labels;
  if (unseen.empty()) return;
  std::string list;
  for (const auto& [name, count] : unseen)
    list += cat(list.empty() ? "" : ", ", name, " (", count, ")");
  std::fprintf(stderr,
               "greenbert: warning: %zu label%s only in val/test, not learnable and left out of "
               "the targets: %s\n",
               unseen.size(), unseen.size() == 1 ? " occurs" : "s occur", list.c_str());
}

}  // namespace greenbert::cli
