#include "data/split_directory.h"

#include <algorithm>
#include <map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/publish_directory.h"
#include "data/csv_writer.h"
#include "data/terms.h"

namespace greenbert {
namespace {

constexpr const char* kSplitFiles[3] = {"train.csv", "val.csv", "test.csv"};

void write_examples(const std::filesystem::path& path, const std::vector<Example>& examples,
                    const LabelMap& labels) {
  write_file_atomically(path, [&](std::ostream& out) {
    std::string row = "titles,summaries,terms\n";
    std::vector<std::string> terms;
    for (const auto& example : examples) {
      terms.clear();
      for (int32_t id : example.labels) terms.push_back(labels.name(id));
      terms.insert(terms.end(), example.unseen_terms.begin(), example.unseen_terms.end());
      std::sort(terms.begin(), terms.end());
      append_csv_field(row, example.title);
      row += ',';
      append_csv_field(row, example.abstract);
      row += ',';
      append_csv_field(row, format_terms(terms));
      row += '\n';
      out.write(row.data(), static_cast<std::streamsize>(row.size()));
      row.clear();
    }
    out.write(row.data(), static_cast<std::streamsize>(row.size()));  // the header, if no rows
  });
}

Dataset load_split_directory(const std::filesystem::path& dir, const LoadOptions& options) {
  Dataset dataset;
  dataset.text = options.prepare.text;
  dataset.labels = LabelMap::load(dir / "labels.json");
  ReadOptions read = options.read;
  read.format = DataFormat::csv;
  read.fields = {};
  std::map<std::string, int64_t> unseen;
  std::vector<Example>* destination[3] = {&dataset.train, &dataset.val, &dataset.test};
  for (int k = 0; k < 3; ++k) {
    const auto path = dir / kSplitFiles[k];
    ReadReport report;
    auto papers = read_papers(path, read, &report);
    dataset.reads.push_back(std::move(report));
    destination[k]->reserve(papers.size());
    for (auto& paper : papers) {
      const int64_t line = paper.line;
      Example example = make_example(paper, dataset.labels);
      if (k == 0 && !example.unseen_terms.empty()) {
        fail(path.string(), ":", line, ": term '", example.unseen_terms.front(), "' is not in ",
             (dir / "labels.json").string());
      }
      for (const auto& term : example.unseen_terms) ++unseen[term];
      destination[k]->push_back(std::move(example));
    }
    dataset.report.papers_in += static_cast<int64_t>(papers.size());
  }
  dataset.report.unseen_labels.assign(unseen.begin(), unseen.end());
  return dataset;
}

}  // namespace

void write_split(const std::filesystem::path& dir, const Dataset& dataset) {
  publish_directory(dir, "data split", [&](const std::filesystem::path& staging) {
    const std::vector<Example>* splits[3] = {&dataset.train, &dataset.val, &dataset.test};
    for (int k = 0; k < 3; ++k)
      write_examples(staging / kSplitFiles[k], *splits[k], dataset.labels);
    dataset.labels.save(staging / "labels.json");
  });
}

Dataset load_dataset(const std::filesystem::path& path, const LoadOptions& options) {
  if (!std::filesystem::exists(path)) fail(path.string(), ": no such file or directory");
  if (std::filesystem::is_directory(path)) return load_split_directory(path, options);
  ReadReport report;
  auto papers = read_papers(path, options.read, &report);
  if (papers.empty())
    fail(path.string(), ": no papers", report.skipped ? " (every row was bad)" : "");
  Dataset dataset;
  try {
    dataset = prepare_dataset(std::move(papers), options.prepare);
  } catch (const Error& e) {
    fail(path.string(), ": ", e.what());
  }
  dataset.reads.push_back(std::move(report));
  return dataset;
}

}  // namespace greenbert
