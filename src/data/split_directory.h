#pragma once
// A prepared split on disk, so a run can be reproduced from a directory: train.csv, val.csv and
// test.csv in the input's CSV format (titles,summaries,terms; terms in the Python-list form)
// plus labels.json. load_dataset reads either such a directory or a data file.
#include <filesystem>

#include "data/dataset.h"
#include "data/paper_reader.h"

namespace greenbert {

struct LoadOptions {
  ReadOptions read;  // for a split directory on_error, max_rows (per file) and chunk_bytes apply
  PrepareOptions prepare;  // for a split directory only text applies
};

// Writes the three splits and labels.json as the directory `dir`, all four at once or none
// (core/publish_directory.h: a directory holding other files is refused, not replaced).
void write_split(const std::filesystem::path& dir, const Dataset& dataset);

// A directory is read as written by write_split: the splits as they are, labels.json as the
// label map; terms of val or test that labels.json lacks are counted in report.unseen_labels,
// in train they are an error. Anything else is a data file: read_papers, then prepare_dataset.
Dataset load_dataset(const std::filesystem::path& path, const LoadOptions& options);

}  // namespace greenbert
