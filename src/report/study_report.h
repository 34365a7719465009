#pragma once
// `greenbert report --study DIR`: reads the study directory (study_results.h), computes the
// figures and the recommendation (study_figures.h), and writes
//   DIR/study.json   every model x precision with its F1s, energies, latencies, memory, size
//   DIR/bench.json   every benchmark record, the study's and the baselines', in bench's schema
//   DIR/plots/       the plots as PNG and SVG (and their gnuplot scripts)
//   DIR/report.md    the report, plots linked
//   DIR/report.html  the same report in one file, plots embedded, no external resource
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/gnuplot.h"

namespace greenbert {

struct ReportOptions {
  std::optional<int64_t> lifetime_predictions;  // default: the study's setting
  PlotSettings plots;
};

struct ReportSummary {
  std::vector<std::filesystem::path> files;  // everything written
  std::vector<std::string> recommendation;   // the sentences, for the console
  std::vector<std::string> skipped_plots;
};

ReportSummary write_study_report(const std::filesystem::path& dir, const ReportOptions& options);

}  // namespace greenbert
