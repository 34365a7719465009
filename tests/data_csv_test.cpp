#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/csv_writer.h"
#include "data/seeded_random.h"

namespace greenbert {
namespace {

struct Row {
  int64_t line;
  std::vector<std::string> fields;
  std::string problem;
  friend bool operator==(const Row&, const Row&) = default;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
  out << "line " << row.line << " [";
  for (const auto& f : row.fields) out << "<" << f << ">";
  return out << "] " << row.problem;
}

// Header and every record of `text`, read `chunk` bytes at a time.
std::pair<std::vector<std::string>, std::vector<Row>> read_all(const std::string& text,
                                                               size_t chunk = 1 << 20) {
  std::istringstream in(text);
  CsvReader reader(in, "t.csv", chunk);
  std::vector<Row> rows;
  CsvRecord record;
  while (reader.next(record)) {
    rows.push_back({record.line, {record.fields.begin(), record.fields.end()}, record.problem});
  }
  return {reader.header(), rows};
}

TEST(CsvReader, ReadsHeaderFieldsAndStartLines) {
  auto [header, rows] = read_all("a,b,c\n1,2,3\nx,,z\n");
  EXPECT_EQ(header, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (Row{2, {"1", "2", "3"}, ""}));
  EXPECT_EQ(rows[1], (Row{3, {"x", "", "z"}, ""}));
}

TEST(CsvReader, QuotedFieldsHoldCommasDoubledQuotesAndNewlines) {
  auto [header, rows] = read_all(
      "t,s,terms\n"
      "\"a, b\",\"He said \"\"hi\"\"\",\"['cs.CV', 'cs.LG']\"\n"
      "x,\"line one\nline two\n\nline four\",\"\"\n"
      "y,z,w\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (Row{2, {"a, b", "He said \"hi\"", "['cs.CV', 'cs.LG']"}, ""}));
  EXPECT_EQ(rows[1], (Row{3, {"x", "line one\nline two\n\nline four", ""}, ""}));
  EXPECT_EQ(rows[2], (Row{7, {"y", "z", "w"}, ""})) << "physical lines count the quoted newlines";
}

TEST(CsvReader, CrlfLineEndsAreNotPartOfFieldsButQuotedCrlfIsKept) {
  auto [header, rows] = read_all("a,b\r\n1,2\r\n\"x\r\ny\",\"q\"\r\nlast,row\r\n");
  EXPECT_EQ(header, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (Row{2, {"1", "2"}, ""}));
  EXPECT_EQ(rows[1], (Row{3, {"x\r\ny", "q"}, ""}));
  EXPECT_EQ(rows[2], (Row{5, {"last", "row"}, ""}));
}

TEST(CsvReader, CarriageReturnInsideAnUnquotedFieldIsData) {
  auto [header, rows] = read_all("a,b\nx\ry,z\r\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"x\ry", "z"}));
}

TEST(CsvReader, SkipsAUtf8ByteOrderMark) {
  auto [header, rows] = read_all("\xEF\xBB\xBFtitles,terms\nT,cs.CV\n");
  EXPECT_EQ(header, (std::vector<std::string>{"titles", "terms"}));
  ASSERT_EQ(rows.size(), 1u);
}

TEST(CsvReader, LastRecordMayLackANewline) {
  auto [header, rows] = read_all("a,b\n1,2\n3,\"4\"");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (Row{3, {"3", "4"}, ""}));
  auto [header2, rows2] = read_all("a,b\n1,");
  ASSERT_EQ(rows2.size(), 1u);
  EXPECT_EQ(rows2[0], (Row{2, {"1", ""}, ""}));
}

TEST(CsvReader, BlankLinesAreNotRecordsButCountAsLines) {
  auto [header, rows] = read_all("a,b\n\n1,2\r\n\r\n\n3,4\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 3);
  EXPECT_EQ(rows[1].line, 6);
}

TEST(CsvReader, WrongFieldCountIsAProblemAndReadingGoesOn) {
  auto [header, rows] = read_all("a,b,c\n1,2\n1,2,3,4\n5,6,7\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].problem, "expected 3 fields, found 2");
  EXPECT_EQ(rows[1].problem, "expected 3 fields, found 4");
  EXPECT_EQ(rows[2], (Row{4, {"5", "6", "7"}, ""}));
}

TEST(CsvReader, StrayQuotesAreProblemsWithTheRecordStillDelimited) {
  auto [header, rows] = read_all("a,b\n\"x\"y,z\nab\"c,d\nok,fine\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_NE(rows[0].problem.find("field 1: text after the closing quote"), std::string::npos);
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_NE(rows[1].problem.find("field 1: a quote inside an unquoted field"), std::string::npos);
  EXPECT_EQ(rows[2], (Row{4, {"ok", "fine"}, ""}));
}

TEST(CsvReader, UnterminatedQuoteNamesTheLineWhereItOpens) {
  auto [header, rows] = read_all("a,b\n1,2\nx,\"never\nclosed\n3,4\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[1].problem, "field 2: the quote opened on line 3 is never closed");
  auto [header2, rows2] = read_all("a,b\n1,\"one\ntwo\",3\n4,\"\n");
  ASSERT_EQ(rows2.size(), 2u);
  EXPECT_EQ(rows2[0].problem, "expected 2 fields, found 3");
  EXPECT_EQ(rows2[1].problem, "field 2: the quote opened on line 4 is never closed");
}

TEST(CsvReader, EmptyOrHeaderlessFilesFail) {
  for (std::string text : {"", "\xEF\xBB\xBF", "\n\n\r\n"}) {
    std::istringstream in(text);
    try {
      CsvReader reader(in, "empty.csv");
      FAIL() << "expected an error for " << testing::PrintToString(text);
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), "empty.csv: empty file (no header)");
    }
  }
}

TEST(CsvReader, BadHeadersFail) {
  std::istringstream duplicate("a,b,a\n1,2,3\n");
  EXPECT_THROW(CsvReader(duplicate, "d.csv"), Error);
  std::istringstream unterminated("a,\"b\n1,2\n");
  EXPECT_THROW(CsvReader(unterminated, "u.csv"), Error);
}

TEST(CsvReader, MissingColumnNamesTheColumnsThereAre) {
  std::istringstream in("titles,summaries\n");
  CsvReader reader(in, "x.csv");
  EXPECT_EQ(reader.column("summaries"), 1u);
  try {
    reader.column("terms");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "x.csv: no column 'terms' (the header has: titles, summaries)");
  }
}

TEST(CsvReader, RefusesARecordLongerThanTheLimit) {
  std::string text = "a\n\"" + std::string(5000, 'x');  // an unterminated quote
  std::istringstream in(text);
  CsvReader reader(in, "big.csv", 64, 1000);
  CsvRecord record;
  try {
    reader.next(record);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("big.csv:2: record longer than"), std::string::npos);
  }
}

// The property behind every rule above: any fields written with RFC-4180 quoting read back as
// they were, whatever the chunk size and line ending.
TEST(CsvReader, RoundTripsRandomFieldsAtEveryChunkSize) {
  SeededRandom random(7);
  const std::string alphabet = "ab,\"\n\r \xC3\xA9";
  for (int trial = 0; trial < 60; ++trial) {
    const size_t columns = 1 + random.below(4);
    const bool crlf = random.below(2) == 1;
    std::vector<std::vector<std::string>> table(1);
    std::string text;
    for (size_t c = 0; c < columns; ++c) {
      table[0].push_back("c" + std::to_string(c));
      text += (c > 0 ? "," : "") + table[0].back();
    }
    text += crlf ? "\r\n" : "\n";
    for (size_t row = 0; row < 1 + random.below(6); ++row) {
      std::vector<std::string> fields;
      for (size_t c = 0; c < columns; ++c) {
        std::string field;
        for (size_t n = random.below(6); n > 0; --n)
          field += alphabet[random.below(alphabet.size())];
        // A record whose only field is empty is written as a blank line, which is no record.
        if (columns == 1 && field.empty()) field = "a";
        if (c > 0) text += ',';
        append_csv_field(text, field);
        fields.push_back(field);
      }
      text += crlf ? "\r\n" : "\n";
      table.push_back(fields);
    }
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{1} << 20}) {
      auto [header, rows] = read_all(text, chunk);
      std::vector<std::vector<std::string>> got{header};
      for (const auto& row : rows) {
        ASSERT_EQ(row.problem, "") << "trial " << trial << " chunk " << chunk;
        got.push_back(row.fields);
      }
      ASSERT_EQ(got, table) << "trial " << trial << " chunk " << chunk << " text "
                            << testing::PrintToString(text);
    }
  }
}

}  // namespace
}  // namespace greenbert
