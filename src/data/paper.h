#pragma once
// One paper as read from a data file, before any preprocessing.
#include <cstdint>
#include <string>
#include <vector>

namespace greenbert {

struct Paper {
  std::string title;
  std::string abstract;
  std::vector<std::string> terms;  // category codes in written order (primary first)
  int64_t line = 0;                // line of the file where the paper starts
};

// Where the three parts of a paper are: CSV column names or JSON keys. An empty name takes the
// format's default (see paper_reader.h).
struct PaperFields {
  std::string title;
  std::string text;
  std::string terms;
};

}  // namespace greenbert
