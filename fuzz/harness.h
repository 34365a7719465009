#pragma once
// The properties the data-file fuzz targets (CSV, terms, JSONL) check. A greenbert::Error is a
// clean refusal and fine; a violated property throws std::logic_error (see target.h).
#include <nlohmann/json.hpp>

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/jsonl_paper.h"
#include "data/paper_reader.h"
#include "data/terms.h"
#include "target.h"

namespace greenbert::fuzz {

// Every record of `text` read `chunk` bytes at a time, or the refusal, as one string.
inline std::string csv_transcript(std::string_view text, size_t chunk) {
  std::istringstream in{std::string(text)};
  std::string out;
  try {
    CsvReader reader(in, "fuzz.csv", chunk);
    for (const auto& name : reader.header()) out += cat(name, '\x1f');
    CsvRecord record;
    while (reader.next(record)) {
      out += cat('\x1e', record.line, ':', record.problem, ':');
      for (auto field : record.fields) out += cat(field, '\x1f');
    }
  } catch (const Error& e) {
    out += cat("refused: ", e.what());
  }
  return out;
}

// The papers read from `text` (skipping bad rows) `chunk` bytes at a time, with what was
// skipped, or the refusal, as one string.
inline std::string papers_transcript(std::string_view text, DataFormat format, size_t chunk) {
  std::istringstream in{std::string(text)};
  ReadOptions options;
  options.on_error = OnError::skip;
  options.chunk_bytes = chunk;
  ReadReport report;
  std::string out;
  try {
    for (const auto& paper : read_papers(in, "fuzz", format, options, &report)) {
      out += cat('\x1e', paper.line, ':', paper.title, '\x1f', paper.abstract, '\x1f');
      for (const auto& term : paper.terms) out += cat(term, ' ');
    }
    out += cat("\x1erows ", report.rows, " skipped ", report.skipped);
    for (const auto& problem : report.first_skipped)
      out += cat('\x1e', problem.line, ':', problem.reason);
  } catch (const Error& e) {
    out += cat("refused: ", e.what());
  }
  return out;
}

// A chunk size from 1 to 13 bytes that varies with the input.
inline size_t small_chunk(std::string_view text) {
  return 1 + (text.empty() ? 0 : static_cast<unsigned char>(text[0]) % 13);
}

// Records and papers do not depend on the chunk size, whatever the bytes.
inline void check_csv(std::string_view text) {
  require(csv_transcript(text, text.size() + 1) == csv_transcript(text, small_chunk(text)),
          "CSV records depend on the chunk size");
  require(papers_transcript(text, DataFormat::csv, text.size() + 1) ==
              papers_transcript(text, DataFormat::csv, small_chunk(text)),
          "CSV papers depend on the chunk size");
}

// Parsed terms are valid terms and read back the same from the written form.
inline void check_terms(std::string_view text) {
  std::vector<std::string> terms;
  try {
    terms = parse_terms(text);
  } catch (const Error&) {
    return;
  }
  try {
    for (const auto& term : terms) check_term(term);
    require(parse_terms(format_terms(terms)) == terms, "format_terms does not read back");
  } catch (const Error&) {
    require(false, "parse_terms returned a term that check_term or a re-parse refuses");
  }
}

// A line the JSONL parser accepts is valid JSON holding exactly what the parser returned, and
// the papers of a JSONL file do not depend on the chunk size.
inline void check_jsonl(std::string_view text) {
  const PaperFields fields{"title", "abstract", "categories"};
  Paper paper;
  bool parsed = true;
  try {
    paper = parse_jsonl_paper(text, fields);
  } catch (const Error&) {
    parsed = false;
  }
  if (parsed) {
    auto json = nlohmann::json::parse(text, nullptr, false);
    require(!json.is_discarded() && json.is_object(), "accepted a line that is not a JSON object");
    require(json["title"] == paper.title && json["abstract"] == paper.abstract,
            "title or abstract differs from nlohmann::json's");
    const auto& categories = json["categories"];
    if (categories.is_string()) {
      require(parse_terms(categories.get<std::string>()) == paper.terms, "terms differ");
    } else {
      require(categories == nlohmann::json(paper.terms), "terms array differs");
    }
  }
  require(papers_transcript(text, DataFormat::jsonl, text.size() + 1) ==
              papers_transcript(text, DataFormat::jsonl, small_chunk(text)),
          "JSONL papers depend on the chunk size");
}

}  // namespace greenbert::fuzz
