#pragma once
// Reads the papers of a data file: a CSV (Kaggle's arxiv_data.csv: titles,summaries,terms) or
// JSON Lines (Cornell's arxiv-metadata-oai-snapshot.json: title, abstract, categories), both
// streamed. Every row is checked; a bad one is an Error "FILE:LINE: reason", or, when asked,
// skipped and counted with its line.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "data/chunked_input.h"
#include "data/paper.h"

namespace greenbert {

enum class DataFormat { from_extension, csv, jsonl };
enum class OnError { fail, skip };

struct ReadOptions {
  DataFormat format = DataFormat::from_extension;  // .csv is CSV; .json and .jsonl are JSONL
  PaperFields fields;  // empty names: CSV titles,summaries,terms; JSONL title,abstract,categories
  OnError on_error = OnError::fail;
  int64_t max_rows = 0;  // stop after this many papers; 0 reads them all
  size_t chunk_bytes = ChunkedInput::kDefaultChunkBytes;  // how much is read at a time
};

struct RowProblem {
  int64_t line = 0;
  std::string reason;
};

struct ReadReport {
  static constexpr size_t kListedProblems = 10;

  std::string file;
  DataFormat format = DataFormat::csv;
  int64_t rows = 0;                       // rows looked at, good or bad (blank lines are not rows)
  int64_t skipped = 0;                    // bad rows skipped under OnError::skip
  std::vector<RowProblem> first_skipped;  // the first kListedProblems of them, in file order
};

// The papers of `path` in file order. A row is bad when it is malformed (quotes, field count,
// invalid JSON), has invalid UTF-8 in any field, an empty title or abstract (after trimming
// surrounding whitespace, which is removed), or terms that are unparsable or empty. Throws
// Error for the first bad row under OnError::fail, and always for what makes the whole file
// unreadable (missing file, empty file, missing column, unknown format).
std::vector<Paper> read_papers(const std::filesystem::path& path, const ReadOptions& options,
                               ReadReport* report = nullptr);
// The same from a stream; `name` stands for the file in messages and `format` must be csv or
// jsonl.
std::vector<Paper> read_papers(std::istream& in, const std::string& name, DataFormat format,
                               const ReadOptions& options, ReadReport* report = nullptr);

// csv or jsonl for `path` under `requested` (from_extension looks at the extension).
DataFormat resolve_format(const std::filesystem::path& path, DataFormat requested);
// `fields` with empty names replaced by the defaults of `format` (csv or jsonl).
PaperFields resolve_fields(DataFormat format, const PaperFields& fields);
std::string_view format_name(DataFormat format);

// "skipped 2 bad rows: FILE:3: reason; FILE:9: reason", listing at most kListedProblems; empty
// when nothing was skipped.
std::string describe_skipped(const ReadReport& report);

}  // namespace greenbert
