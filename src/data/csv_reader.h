#pragma once
// A streaming RFC-4180 CSV reader: quoted fields, doubled quotes, newlines inside quotes, CRLF
// or LF line ends, an optional UTF-8 byte-order mark, and a header naming the columns. The
// file is read in chunks; each record carries the physical line it starts on.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "data/chunked_input.h"

namespace greenbert {

struct CsvRecord {
  int64_t line = 0;                      // physical line (1-based) where the record starts
  std::vector<std::string_view> fields;  // unescaped; valid until the next call to next()
  // Empty when the record is well-formed, otherwise why it is not (a stray quote, an
  // unterminated quoted field, the wrong number of fields). The record's extent is still
  // known, so a caller may skip it and go on.
  std::string problem;
};

class CsvReader {
 public:
  // No real record comes near this; a longer one is almost surely an unterminated quote that
  // swallowed the rest of a big file, so reading stops rather than buffer all of it.
  static constexpr size_t kDefaultMaxRecordBytes = size_t{64} << 20;

  // Reads the header from `in` (which must outlive the reader). `name` starts every message.
  // Throws Error on an empty file, a malformed header or duplicate column names.
  CsvReader(std::istream& in, std::string name,
            size_t chunk_bytes = ChunkedInput::kDefaultChunkBytes,
            size_t max_record_bytes = kDefaultMaxRecordBytes);

  const std::vector<std::string>& header() const { return header_; }
  // Position of the column called `column`; throws Error "NAME: no column ..." naming the
  // columns there are.
  size_t column(std::string_view column) const;

  // Reads the next record into `record`; false at the end of the file. Blank lines are not
  // records and are passed over. Throws Error only for a record longer than max_record_bytes
  // or a failed read.
  bool next(CsvRecord& record);

 private:
  struct FieldSpan {
    size_t begin = 0;  // offsets into the window
    size_t end = 0;
    bool has_doubled_quotes = false;
  };
  enum class Scan { complete, need_more };

  Scan scan_record(bool exhausted);
  bool next_raw(CsvRecord& record);

  std::string name_;
  ChunkedInput input_;
  size_t max_record_bytes_;
  std::vector<std::string> header_;
  int64_t line_ = 1;  // physical line at the start of the window
  // Result of the last scan_record().
  std::vector<FieldSpan> spans_;
  size_t record_bytes_ = 0;
  std::string problem_;
};

}  // namespace greenbert
