#include "data/paper_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "data/ascii_space.h"
#include "data/chunked_input.h"
#include "data/csv_reader.h"
#include "data/jsonl_paper.h"
#include "data/terms.h"
#include "data/utf8_check.h"

namespace greenbert {
namespace {

// Lines of a JSON Lines file longer than this are refused rather than buffered whole
// (Cornell's longest record is a few tens of kilobytes).
constexpr size_t kMaxJsonLineBytes = size_t{64} << 20;

// "" when `text` is valid UTF-8, else the problem, naming the column or key.
std::string check_text(std::string_view text, const std::string& field, const char* kind) {
  size_t bad = find_invalid_utf8(text);
  if (bad != std::string_view::npos)
    return cat(kind, " '", field, "': invalid UTF-8 at byte ", bad + 1);
  return "";
}

// Collects the papers and decides what happens to a bad row.
class PaperSink {
 public:
  PaperSink(const std::string& name, const ReadOptions& options, ReadReport& report)
      : name_(name), options_(options), report_(report) {}

  const ReadOptions& options() const { return options_; }
  bool full() const {
    return options_.max_rows > 0 && static_cast<int64_t>(papers_.size()) >= options_.max_rows;
  }
  void add(Paper paper) { papers_.push_back(std::move(paper)); }
  void reject(int64_t line, std::string reason) {
    if (options_.on_error == OnError::fail) fail(name_, ":", line, ": ", reason);
    ++report_.skipped;
    if (report_.first_skipped.size() < ReadReport::kListedProblems) {
      report_.first_skipped.push_back({line, std::move(reason)});
    }
  }
  std::vector<Paper> take() { return std::move(papers_); }

 private:
  const std::string& name_;
  const ReadOptions& options_;
  ReadReport& report_;
  std::vector<Paper> papers_;
};

// Trims title and abstract and checks what every format must satisfy; returns the problem.
std::string finish_paper(Paper& paper, const PaperFields& fields, const char* kind) {
  auto title = trim_ascii_space(paper.title);
  auto abstract = trim_ascii_space(paper.abstract);
  if (title.empty()) return cat("empty title (", kind, " '", fields.title, "')");
  if (abstract.empty()) return cat("empty abstract (", kind, " '", fields.text, "')");
  if (paper.terms.empty()) return cat("no terms (", kind, " '", fields.terms, "')");
  if (title.size() != paper.title.size()) paper.title = std::string(title);
  if (abstract.size() != paper.abstract.size()) paper.abstract = std::string(abstract);
  return "";
}

void read_csv(std::istream& in, const std::string& name, const PaperFields& fields, PaperSink& sink,
              ReadReport& report) {
  CsvReader reader(in, name, sink.options().chunk_bytes);
  const size_t title_column = reader.column(fields.title);
  const size_t text_column = reader.column(fields.text);
  const size_t terms_column = reader.column(fields.terms);
  CsvRecord record;
  while (!sink.full() && reader.next(record)) {
    ++report.rows;
    if (!record.problem.empty()) {
      sink.reject(record.line, std::move(record.problem));
      continue;
    }
    std::string problem = check_text(record.fields[title_column], fields.title, "column");
    if (problem.empty()) problem = check_text(record.fields[text_column], fields.text, "column");
    if (problem.empty()) problem = check_text(record.fields[terms_column], fields.terms, "column");
    Paper paper;
    if (problem.empty()) {
      try {
        paper.terms = parse_terms(record.fields[terms_column]);
      } catch (const Error& e) {
        problem = e.what();
      }
    }
    if (problem.empty()) {
      paper.title = record.fields[title_column];
      paper.abstract = record.fields[text_column];
      paper.line = record.line;
      problem = finish_paper(paper, fields, "column");
    }
    if (problem.empty()) {
      sink.add(std::move(paper));
    } else {
      sink.reject(record.line, std::move(problem));
    }
  }
}

void read_jsonl(std::istream& in, const std::string& name, const PaperFields& fields,
                PaperSink& sink, ReadReport& report) {
  ChunkedInput input(in, name, sink.options().chunk_bytes);
  int64_t line = 0;
  bool any_text = false;
  while (!sink.full()) {
    if (input.size() == 0 && !input.read_more()) break;  // (memchr must not see a null window)
    const void* newline = std::memchr(input.begin(), '\n', input.size());
    if (newline == nullptr && !input.exhausted()) {
      if (input.size() > kMaxJsonLineBytes) {
        fail(name, ":", line + 1, ": line longer than ", kMaxJsonLineBytes >> 20, " MiB");
      }
      input.read_more();
      continue;
    }
    const size_t length =
        newline ? static_cast<size_t>(static_cast<const char*>(newline) - input.begin())
                : input.size();
    std::string_view text(input.begin(), length);
    input.consume(newline ? length + 1 : length);
    ++line;
    if (trim_ascii_space(text).empty()) continue;
    any_text = true;
    ++report.rows;
    std::string problem;
    Paper paper;
    try {
      paper = parse_jsonl_paper(text, fields);
    } catch (const Error& e) {
      problem = e.what();
    }
    if (problem.empty()) problem = check_text(paper.title, fields.title, "key");
    if (problem.empty()) problem = check_text(paper.abstract, fields.text, "key");
    for (size_t i = 0; problem.empty() && i < paper.terms.size(); ++i) {
      problem = check_text(paper.terms[i], fields.terms, "key");
    }
    if (problem.empty()) problem = finish_paper(paper, fields, "key");
    if (problem.empty()) {
      paper.line = line;
      sink.add(std::move(paper));
    } else {
      sink.reject(line, std::move(problem));
    }
  }
  if (!any_text) fail(name, ": empty file");
}

}  // namespace

std::string_view format_name(DataFormat format) {
  switch (format) {
    case DataFormat::csv:
      return "csv";
    case DataFormat::jsonl:
      return "jsonl";
    case DataFormat::from_extension:
      break;
  }
  return "from extension";
}

DataFormat resolve_format(const std::filesystem::path& path, DataFormat requested) {
  if (requested != DataFormat::from_extension) return requested;
  auto extension = path.extension();
  if (extension == ".csv") return DataFormat::csv;
  if (extension == ".json" || extension == ".jsonl") return DataFormat::jsonl;
  fail(path.string(),
       ": cannot tell the format from the extension (.csv, .json or .jsonl); "
       "name it (csv or jsonl)");
}

PaperFields resolve_fields(DataFormat format, const PaperFields& fields) {
  const bool csv = format == DataFormat::csv;
  return {fields.title.empty() ? (csv ? "titles" : "title") : fields.title,
          fields.text.empty() ? (csv ? "summaries" : "abstract") : fields.text,
          fields.terms.empty() ? (csv ? "terms" : "categories") : fields.terms};
}

std::vector<Paper> read_papers(std::istream& in, const std::string& name, DataFormat format,
                               const ReadOptions& options, ReadReport* report) {
  ReadReport local;
  ReadReport& out = report ? *report : local;
  out = ReadReport{};
  out.file = name;
  out.format = format;
  const PaperFields fields = resolve_fields(format, options.fields);
  PaperSink sink(name, options, out);
  if (format == DataFormat::csv) {
    read_csv(in, name, fields, sink, out);
  } else if (format == DataFormat::jsonl) {
    read_jsonl(in, name, fields, sink, out);
  } else {
    fail(name, ": no format given");
  }
  return sink.take();
}

std::vector<Paper> read_papers(const std::filesystem::path& path, const ReadOptions& options,
                               ReadReport* report) {
  const DataFormat format = resolve_format(path, options.format);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), ": cannot open: ", std::strerror(errno));
  return read_papers(in, path.string(), format, options, report);
}

std::string describe_skipped(const ReadReport& report) {
  if (report.skipped == 0) return "";
  std::string text =
      cat("skipped ", report.skipped, " bad row", report.skipped == 1 ? "" : "s", ":");
  for (size_t i = 0; i < report.first_skipped.size(); ++i) {
    const auto& problem = report.first_skipped[i];
    text += cat(i ? "; " : " ", report.file, ":", problem.line, ": ", problem.reason);
  }
  if (report.skipped > static_cast<int64_t>(report.first_skipped.size())) {
    text +=
        cat("; and ", report.skipped - static_cast<int64_t>(report.first_skipped.size()), " more");
  }
  return text;
}

}  // namespace greenbert
