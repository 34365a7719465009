#include "data/csv_reader.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace greenbert {
namespace {

// Turns each doubled quote of a quoted field's content into one quote, in place; returns the
// new end.
char* collapse_doubled_quotes(char* begin, char* end) {
  char* out = begin;
  for (char* in = begin; in < end; ++in) {
    *out++ = *in;
    if (*in == '"') ++in;
  }
  return out;
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::string name, size_t chunk_bytes,
                     size_t max_record_bytes)
    : name_(std::move(name)), input_(in, name_, chunk_bytes), max_record_bytes_(max_record_bytes) {
  while (input_.size() < 3 && input_.read_more()) {
  }
  if (std::string_view(input_.begin(), input_.size()).starts_with("\xEF\xBB\xBF")) {
    input_.consume(3);
  }
  CsvRecord record;
  if (!next_raw(record)) fail(name_, ": empty file (no header)");
  if (!record.problem.empty()) fail(name_, ":", record.line, ": bad header: ", record.problem);
  for (auto field : record.fields) {
    if (std::find(header_.begin(), header_.end(), field) != header_.end()) {
      fail(name_, ":", record.line, ": bad header: column '", field, "' appears twice");
    }
    header_.emplace_back(field);
  }
}

size_t CsvReader::column(std::string_view column) const {
  auto it = std::find(header_.begin(), header_.end(), column);
  if (it != header_.end()) return static_cast<size_t>(it - header_.begin());
  std::string columns;
  for (const auto& name : header_) columns += cat(columns.empty() ? "" : ", ", name);
  fail(name_, ": no column '", column, "' (the header has: ", columns, ")");
}

bool CsvReader::next(CsvRecord& record) {
  if (!next_raw(record)) return false;
  if (record.problem.empty() && record.fields.size() != header_.size()) {
    record.problem = cat("expected ", header_.size(), " fields, found ", record.fields.size());
  }
  return true;
}

bool CsvReader::next_raw(CsvRecord& record) {
  for (;;) {
    if (input_.size() == 0 && !input_.read_more()) return false;
    if (scan_record(input_.exhausted()) == Scan::need_more) {
      if (input_.size() > max_record_bytes_) {
        fail(name_, ":", line_, ": record longer than ", max_record_bytes_ >> 20,
             " MiB (an unterminated quoted field?)");
      }
      input_.read_more();  // adds nothing at the end of the file; the next scan then completes
      continue;
    }
    std::string_view text(input_.begin(), record_bytes_);
    const int64_t start_line = line_;
    line_ += std::count(text.begin(), text.end(), '\n');
    if (text == "\n" || text == "\r\n" || text == "\r") {
      input_.consume(record_bytes_);
      continue;
    }
    record.line = start_line;
    record.fields.clear();
    for (const auto& span : spans_) {
      char* begin = input_.begin() + span.begin;
      char* end = input_.begin() + span.end;
      if (span.has_doubled_quotes) end = collapse_doubled_quotes(begin, end);
      record.fields.emplace_back(begin, static_cast<size_t>(end - begin));
    }
    record.problem = std::move(problem_);
    input_.consume(record_bytes_);
    return true;
  }
}

// Finds the fields of the record at the start of the window. A record that runs past the end
// of the window needs more input unless the stream is exhausted. Malformed records are read
// leniently (stray characters kept as text) so that their extent is known and the problem can
// be reported without losing the place.
CsvReader::Scan CsvReader::scan_record(bool exhausted) {
  const char* s = input_.begin();
  const size_t n = input_.size();
  spans_.clear();
  problem_.clear();
  auto note = [&](const std::string& problem) {
    if (problem_.empty()) problem_ = problem;
  };
  size_t pos = 0;
  for (;;) {
    FieldSpan field;
    const size_t number = spans_.size() + 1;
    field.begin = pos;
    if (pos < n && s[pos] == '"') {
      size_t quote = pos + 1;
      field.begin = quote;
      for (;;) {
        const void* hit = quote < n ? std::memchr(s + quote, '"', n - quote) : nullptr;
        if (hit == nullptr) {
          if (!exhausted) return Scan::need_more;
          note(cat("field ", number, ": the quote opened on line ",
                   line_ + std::count(s, s + pos, '\n'), " is never closed"));
          field.end = n;
          spans_.push_back(field);
          record_bytes_ = n;
          return Scan::complete;
        }
        quote = static_cast<size_t>(static_cast<const char*>(hit) - s);
        if (quote + 1 == n && !exhausted) return Scan::need_more;  // '"' or '""'?
        if (quote + 1 < n && s[quote + 1] == '"') {
          field.has_doubled_quotes = true;
          quote += 2;
          continue;
        }
        break;
      }
      field.end = quote;
      pos = quote + 1;
      if (pos == n) {  // the stream is exhausted: the last record ends without a newline
        spans_.push_back(field);
        record_bytes_ = n;
        return Scan::complete;
      }
      if (s[pos] == '\r' && pos + 1 == n && !exhausted) return Scan::need_more;
      const bool line_end =
          s[pos] == '\n' || (s[pos] == '\r' && (pos + 1 == n || s[pos + 1] == '\n'));
      if (s[pos] == ',' || line_end) {
        spans_.push_back(field);
        if (s[pos] == ',') {
          ++pos;
          continue;
        }
        record_bytes_ = s[pos] == '\r' ? std::min(pos + 2, n) : pos + 1;
        return Scan::complete;
      }
      note(cat("field ", number, ": text after the closing quote"));
      // Go on as if unquoted, keeping the stray text in the field, to find the record's end.
    }
    size_t i = pos;
    while (i < n && s[i] != ',' && s[i] != '\n') {
      if (s[i] == '"') note(cat("field ", number, ": a quote inside an unquoted field"));
      ++i;
    }
    if (i == n && !exhausted) return Scan::need_more;
    field.end = i;
    const bool at_line_end = i == n || s[i] == '\n';
    if (at_line_end && field.end > field.begin && s[field.end - 1] == '\r') --field.end;
    spans_.push_back(field);
    if (!at_line_end) {
      pos = i + 1;
      continue;
    }
    record_bytes_ = i < n ? i + 1 : n;
    return Scan::complete;
  }
}

}  // namespace greenbert
