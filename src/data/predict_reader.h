#pragma once
// What `greenbert predict` reads, one input at a time (infer/classifier.h's encode_inputs makes
// model input of them):
//   lines   one text (an abstract) per line; with ids_lines, a line that is a JSON object is
//           HF model input: {"input_ids": [...], "attention_mask": [...], "token_type_ids": [...]}
//           (mask and types optional), used to check logits against PyTorch
//   csv     the data's CSV: the text column (default summaries) and, when present, the title
//           column (default titles)
//   jsonl   one object per line: {"text": ...}, or {"abstract": ..., "title": ...} (title
//           optional; Cornell's arXiv snapshot is such a file), or model input as above; an
//           "id" (a string or an integer) names the input in predict's output
// Every problem is an Error "NAME:LINE: reason". A text may be empty (an empty line or field):
// it is still an input, which infer/classifier.h's encode_inputs leaves out and names.
#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/dataset.h"

namespace greenbert {

enum class PredictFormat { lines, csv, jsonl };

// csv for .csv, jsonl for .jsonl and .json, lines otherwise.
PredictFormat predict_format_of(const std::filesystem::path& path);

struct PredictInput {
  std::string where;  // "NAME:LINE"
  std::string id;     // jsonl's "id" (Cornell's arXiv id), or empty
  Example text;       // title (may be empty) and abstract, unless has_ids
  bool has_ids = false;
  // HF model input with the masked tokens dropped (packed): each kept token keeps its position.
  std::vector<int32_t> input_ids, token_type_ids, position_ids;
};

struct PredictReaderOptions {
  bool ids_lines = false;  // lines format: JSON-object lines are model input
  std::string title_column = "titles";
  std::string text_column = "summaries";
};

class PredictReader {
 public:
  // Reads `in` (which must outlive the reader); `name` starts every message.
  PredictReader(std::istream& in, std::string name, PredictFormat format,
                PredictReaderOptions options);
  // The next input; false at the end.
  bool next(PredictInput& input);

 private:
  bool next_line(std::string& line);

  std::istream& in_;
  std::string name_;
  PredictFormat format_;
  PredictReaderOptions options_;
  int64_t line_ = 0;
  std::unique_ptr<CsvReader> csv_;
  size_t text_column_ = 0, title_column_ = 0;
  bool has_title_ = false;
};

}  // namespace greenbert
