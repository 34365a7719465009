#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/jsonl_paper.h"
#include "data/paper_reader.h"
#include "support.h"

namespace greenbert {
namespace {

using Terms = std::vector<std::string>;

std::filesystem::path write(const std::string& name, const std::string& text) {
  auto path = testing::temp_dir("reader-" + name) / name;
  write_file_atomically(path, text);
  return path;
}

// The message read_papers fails with for a file holding `text`.
std::string error_for(const std::string& name, const std::string& text, ReadOptions options = {}) {
  auto path = write(name, text);
  try {
    read_papers(path, options);
    return "no error";
  } catch (const Error& e) {
    std::string message = e.what();
    auto prefix = path.string() + ":";
    return message.starts_with(prefix) ? message.substr(prefix.size()) : "unexpected: " + message;
  }
}

TEST(ReadPapers, ReadsTheKaggleCsv) {
  auto path = write("k.csv",
                    "titles,summaries,terms\n"
                    "  A title ,\"An abstract\nover two lines. \",\"['cs.CV', 'cs.LG']\"\n"
                    "Second,Plain,cs.AI\n");
  ReadReport report;
  auto papers = read_papers(path, {}, &report);
  ASSERT_EQ(papers.size(), 2u);
  EXPECT_EQ(papers[0].title, "A title") << "surrounding whitespace is trimmed";
  EXPECT_EQ(papers[0].abstract, "An abstract\nover two lines.");
  EXPECT_EQ(papers[0].terms, (Terms{"cs.CV", "cs.LG"}));
  EXPECT_EQ(papers[0].line, 2);
  EXPECT_EQ(papers[1].line, 4);
  EXPECT_EQ(papers[1].terms, (Terms{"cs.AI"}));
  EXPECT_EQ(report.rows, 2);
  EXPECT_EQ(report.skipped, 0);
  EXPECT_EQ(report.format, DataFormat::csv);
}

TEST(ReadPapers, ColumnsCanBeNamedAndInAnyOrder) {
  auto path = write("c.csv", "id,cats,name,text\n7,cs.CV,T,Abs\n");
  ReadOptions options;
  options.fields = {"name", "text", "cats"};
  auto papers = read_papers(path, options);
  ASSERT_EQ(papers.size(), 1u);
  EXPECT_EQ(papers[0].title, "T");
  EXPECT_EQ(papers[0].abstract, "Abs");
  EXPECT_EQ(papers[0].terms, (Terms{"cs.CV"}));
}

TEST(ReadPapers, ReadsCornellJsonLines) {
  const std::string cornell =
      R"({"id":"0704.0001","submitter":"P. N.","authors":"C. Bal\u00e1zs","title":"Calculation of )"
      R"(prompt diphoton\n  production","comments":"37 pages","journal-ref":null,"doi":"10.1103/x",)"
      R"("categories":"hep-ph hep-ex","license":null,"abstract":"  A fully differential calculation.\n",)"
      R"("versions":[{"version":"v1","created":"Mon, 2 Apr 2007"}],"update_date":"2008-11-13",)"
      R"("authors_parsed":[["Bal\u00e1zs","C.",""]],"n":1.5e3,"ok":true})";
  auto path = write(
      "s.json",
      cornell + "\n\n" + R"({"title":"B","abstract":"x","categories":["cs.CV","cs.LG"]})" + "\r\n");
  ReadReport report;
  auto papers = read_papers(path, {}, &report);
  ASSERT_EQ(papers.size(), 2u);
  EXPECT_EQ(papers[0].title, "Calculation of prompt diphoton\n  production");
  EXPECT_EQ(papers[0].abstract, "A fully differential calculation.");
  EXPECT_EQ(papers[0].terms, (Terms{"hep-ph", "hep-ex"}));
  EXPECT_EQ(papers[0].line, 1);
  EXPECT_EQ(papers[1].terms, (Terms{"cs.CV", "cs.LG"}));
  EXPECT_EQ(papers[1].line, 3) << "blank lines are passed over but counted";
  EXPECT_EQ(report.format, DataFormat::jsonl);
  EXPECT_EQ(report.rows, 2);
}

TEST(ReadPapers, FormatComesFromTheExtensionOrIsNamed) {
  auto jsonl = write("p.jsonl", R"({"title":"T","abstract":"A","categories":"cs.CV"})");
  EXPECT_EQ(read_papers(jsonl, {}).size(), 1u);
  auto unnamed = write("p.txt", "titles,summaries,terms\nT,A,cs.CV\n");
  ReadOptions options;
  EXPECT_THROW(read_papers(unnamed, options), Error);
  options.format = DataFormat::csv;
  EXPECT_EQ(read_papers(unnamed, options).size(), 1u);
}

TEST(ReadPapers, JsonKeysCanBeNamed) {
  auto path = write("d.jsonl", R"({"id":"1","title":"T","summary":"S","categories":["cs.AI"]})");
  ReadOptions options;
  options.fields.text = "summary";
  auto papers = read_papers(path, options);
  ASSERT_EQ(papers.size(), 1u);
  EXPECT_EQ(papers[0].abstract, "S");
}

TEST(ReadPapers, EveryBadCsvRowFailsWithFileLineAndReason) {
  const std::string header = "titles,summaries,terms\nGood,Fine,cs.CV\n";
  EXPECT_EQ(error_for("a.csv", header + "T,\"open\n"),
            "3: field 2: the quote opened on line 3 is never closed");
  EXPECT_EQ(error_for("b.csv", header + "T,A\n"), "3: expected 3 fields, found 2");
  EXPECT_EQ(error_for("c.csv", header + "T,A,\"['cs.CV'\"\n"),
            "3: terms \"['cs.CV'\": expected ',' or ']' at the end");
  EXPECT_EQ(error_for("d.csv", header + "T\xC3,A,cs.CV\n"),
            "3: column 'titles': invalid UTF-8 at byte 2");
  EXPECT_EQ(error_for("e.csv", header + "T,A\xED\xA0\x80,cs.CV\n"),
            "3: column 'summaries': invalid UTF-8 at byte 2");
  EXPECT_EQ(error_for("f.csv", header + "T,A,cs.CV\xFF\n"),
            "3: column 'terms': invalid UTF-8 at byte 6");
  EXPECT_EQ(error_for("g.csv", header + "T,\" \n \",cs.CV\n"),
            "3: empty abstract (column 'summaries')");
  EXPECT_EQ(error_for("h.csv", header + ",A,cs.CV\n"), "3: empty title (column 'titles')");
  EXPECT_EQ(error_for("i.csv", header + "T,A,[]\n"), "3: no terms (column 'terms')");
  EXPECT_EQ(error_for("j.csv", header + "T,A\"b,cs.CV\n"),
            "3: field 2: a quote inside an unquoted field");
}

TEST(ReadPapers, FileLevelProblemsFailEvenWhenSkipping) {
  ReadOptions skip;
  skip.on_error = OnError::skip;
  EXPECT_EQ(error_for("empty.csv", "", skip), " empty file (no header)");
  EXPECT_EQ(error_for("empty.jsonl", "\n \n", skip), " empty file");
  EXPECT_EQ(error_for("cols.csv", "titles,abstract,terms\n", skip),
            " no column 'summaries' (the header has: titles, abstract, terms)");
  EXPECT_THROW(read_papers("/nonexistent/x.csv", skip), Error);
}

TEST(ReadPapers, EveryBadJsonLineFailsWithFileLineAndReason) {
  const std::string good = R"({"title":"T","abstract":"A","categories":"cs.CV"})"
                           "\n";
  EXPECT_EQ(error_for("a.jsonl", good + R"({"title":"T","abstract":"A","categories":"cs.CV")"),
            "2: invalid JSON at column 49: syntax error while parsing object - unexpected end of "
            "input; expected '}'");
  EXPECT_EQ(error_for("b.jsonl", good + R"(["T","A"])"), "2: not a JSON object");
  EXPECT_EQ(error_for("c.jsonl", good + R"({"title":"T","categories":"cs.CV"})"),
            "2: missing key 'abstract'");
  EXPECT_EQ(error_for("d.jsonl", good + R"({"title":1,"abstract":"A","categories":"cs.CV"})"),
            "2: key 'title' holds a number, not a string");
  EXPECT_EQ(error_for("e.jsonl", good + R"({"title":"T","abstract":{"x":1},"categories":"cs.CV"})"),
            "2: key 'abstract' holds an object, not a string");
  EXPECT_EQ(error_for("f.jsonl", good + R"({"title":"T","abstract":"A","categories":[1]})"),
            "2: key 'categories' holds a number in its array");
  EXPECT_EQ(
      error_for("g.jsonl", good + R"({"title":"T","title":"U","abstract":"A","categories":"x"})"),
      "2: key 'title' appears twice");
  EXPECT_EQ(error_for("h.jsonl", good + R"({"title":"T","abstract":"A","categories":"cs.CV,,x"})"),
            "2: key 'categories': terms \"cs.CV,,x\": empty term at character 7");
  EXPECT_EQ(error_for("i.jsonl", good + R"({"title":"T","abstract":" ","categories":"cs.CV"})"),
            "2: empty abstract (key 'abstract')");
  EXPECT_EQ(error_for("j.jsonl", good + R"({"title":"T","abstract":"A","categories":[]})"),
            "2: no terms (key 'categories')");
  EXPECT_EQ(
      error_for("k.jsonl", good + "{\"title\":\"T\xC3\",\"abstract\":\"A\",\"categories\":\"x\"}"),
      "2: invalid JSON at column 13: syntax error while parsing value - invalid string: "
      "ill-formed UTF-8 byte; last read: '\"T\xC3\"'");
  EXPECT_EQ(error_for("l.jsonl", good + R"({"title":"T","abstract":"A","categories":["a b"]})"),
            "2: key 'categories': term \"a b\" contains whitespace or a control character");
  EXPECT_EQ(error_for("m.jsonl", good + R"("just a string")"), "2: not a JSON object");
}

TEST(ReadPapers, SkipModeCountsAndListsTheBadRows) {
  std::string text = "titles,summaries,terms\n";
  for (int i = 0; i < 30; ++i) text += i % 2 ? cat("T", i, ",A,cs.CV\n") : "T,,cs.CV\n";
  auto path = write("skip.csv", text);
  ReadOptions options;
  options.on_error = OnError::skip;
  ReadReport report;
  auto papers = read_papers(path, options, &report);
  EXPECT_EQ(papers.size(), 15u);
  EXPECT_EQ(report.rows, 30);
  EXPECT_EQ(report.skipped, 15);
  ASSERT_EQ(report.first_skipped.size(), ReadReport::kListedProblems);
  EXPECT_EQ(report.first_skipped[0].line, 2);
  EXPECT_EQ(report.first_skipped[1].line, 4);
  EXPECT_EQ(report.first_skipped[0].reason, "empty abstract (column 'summaries')");
  auto description = describe_skipped(report);
  EXPECT_TRUE(
      description.starts_with("skipped 15 bad rows: " + path.string() + ":2: empty abstract"))
      << description;
  EXPECT_TRUE(description.ends_with("; and 5 more")) << description;
}

TEST(ReadPapers, SkipModeRecoversAfterAStrayQuote) {
  auto path = write("q.csv", "titles,summaries,terms\nA\"x,B,cs.CV\nGood,Text,cs.LG\n");
  ReadOptions options;
  options.on_error = OnError::skip;
  ReadReport report;
  auto papers = read_papers(path, options, &report);
  ASSERT_EQ(papers.size(), 1u);
  EXPECT_EQ(papers[0].title, "Good");
  EXPECT_EQ(report.first_skipped.at(0).line, 2);
}

TEST(ReadPapers, MaxRowsStopsEarly) {
  auto path = write("m.csv", "titles,summaries,terms\nA,a,x\nB,b,y\nC,c,z\n");
  ReadOptions options;
  options.max_rows = 2;
  auto papers = read_papers(path, options);
  ASSERT_EQ(papers.size(), 2u);
  EXPECT_EQ(papers[1].title, "B");
}

TEST(ReadPapers, StreamsFromAnyIstream) {
  std::istringstream in("titles,summaries,terms\nA,a,x\n");
  auto papers = read_papers(in, "memory", DataFormat::csv, {});
  ASSERT_EQ(papers.size(), 1u);
}

TEST(ReadPapers, ChunkSizeDoesNotChangeWhatIsRead) {
  const std::string csv =
      "titles,summaries,terms\nA,\"x\ny\",cs.CV\n\nB,,cs.LG\r\n\"C\"\"\",z,\"['a', 'b']\"";
  const std::string jsonl = R"({"title":"A","abstract":"x\ny","categories":"cs.CV"})"
                            "\n\n{bad}\r\n"
                            R"({"title":"C\"","abstract":"z","categories":["a","b"]})";
  for (auto [format, text] :
       {std::pair{DataFormat::csv, csv}, std::pair{DataFormat::jsonl, jsonl}}) {
    ReadOptions options;
    options.on_error = OnError::skip;
    std::istringstream whole_in(text);
    ReadReport whole_report;
    auto whole = read_papers(whole_in, "t", format, options, &whole_report);
    ASSERT_EQ(whole.size(), 2u);
    EXPECT_EQ(whole[1].title, "C\"");
    EXPECT_EQ(whole_report.skipped, 1);
    for (size_t chunk = 1; chunk <= 8; ++chunk) {
      options.chunk_bytes = chunk;
      std::istringstream in(text);
      ReadReport report;
      auto papers = read_papers(in, "t", format, options, &report);
      ASSERT_EQ(papers.size(), whole.size()) << "chunk " << chunk;
      for (size_t i = 0; i < papers.size(); ++i) {
        EXPECT_EQ(papers[i].title, whole[i].title);
        EXPECT_EQ(papers[i].abstract, whole[i].abstract);
        EXPECT_EQ(papers[i].terms, whole[i].terms);
        EXPECT_EQ(papers[i].line, whole[i].line);
      }
      EXPECT_EQ(report.first_skipped.at(0).line, whole_report.first_skipped.at(0).line);
    }
  }
}

TEST(JsonlPaper, OtherKeysMayHoldAnything) {
  PaperFields fields{"title", "abstract", "categories"};
  auto paper = parse_jsonl_paper(
      R"({"x":[[{"title":1}],{"abstract":[null]}],"title":"T","abstract":"A","categories":"a b"})",
      fields);
  EXPECT_EQ(paper.title, "T");
  EXPECT_EQ(paper.terms, (Terms{"a", "b"}));
}

}  // namespace
}  // namespace greenbert
