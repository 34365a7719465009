// Agreement on real arXiv titles and abstracts (LaTeX, accents, Greek, math symbols) with a
// Python port of HF's BertTokenizer run with the fast tokenizer's rules:
// tests/data/arxiv_wordpiece_refs.tsv, made by scripts/bert_tokenizer_reference.py generate.
// It stores hashes of the ids, not text; the texts come from ../shared/data/arxiv_data.csv.
#include <gtest/gtest.h>

#include <charconv>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "data/paper_reader.h"
#include "support.h"
#include "text/bert_tokenizer.h"

namespace greenbert {
namespace {

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char byte : text) h = (h ^ byte) * 0x100000001B3ull;
  return h;
}

TEST(TokenizerArxiv, MatchesThePythonReferenceOnTitlesAndAbstracts) {
  GREENBERT_SHARED_PATH(vocab_path, "models/bert-base-uncased-vocab.txt");
  GREENBERT_SHARED_PATH(csv_path, "data/arxiv_data.csv");
  const auto tokenizer = BertTokenizer::from_file(vocab_path);
  const auto papers = read_papers(csv_path, {});
  ASSERT_EQ(papers.size(), 67487u);

  const std::string refs = read_file(testing::source_dir() / "tests/data/arxiv_wordpiece_refs.tsv");
  int checked = 0, mismatches = 0;
  size_t at = 0;
  while (at < refs.size()) {
    size_t end = refs.find('\n', at);
    if (end == std::string::npos) end = refs.size();
    const std::string line = refs.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    // record \t field \t count \t hash
    std::vector<std::string> cols;
    for (size_t from = 0, tab;; from = tab + 1) {
      tab = line.find('\t', from);
      cols.push_back(line.substr(from, tab - from));
      if (tab == std::string::npos) break;
    }
    ASSERT_EQ(cols.size(), 4u) << line;
    const size_t record = std::stoul(cols[0]);
    ASSERT_LT(record, papers.size()) << line;
    const std::string& text = cols[1] == "titles" ? papers[record].title : papers[record].abstract;

    std::vector<int32_t> ids;
    tokenizer.tokenize(text, ids);
    std::string joined;
    for (int32_t id : ids) {
      if (!joined.empty()) joined += ' ';
      joined += std::to_string(id);
    }
    uint64_t want = 0;
    std::from_chars(cols[3].data(), cols[3].data() + cols[3].size(), want, 16);
    ++checked;
    if (std::to_string(ids.size()) != cols[2] || fnv1a64(joined) != want) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "record " << cols[0] << " " << cols[1] << ": got " << ids.size()
                      << " ids, want " << cols[2]
                      << "; see scripts/bert_tokenizer_reference.py show --record " << cols[0]
                      << " --field " << cols[1] << "\n got " << joined;
      }
    }
  }
  EXPECT_GT(checked, 6000);
  EXPECT_EQ(mismatches, 0) << "of " << checked;
}

}  // namespace
}  // namespace greenbert
