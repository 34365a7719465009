// `greenbert report --study DIR`: the study's report (Markdown and self-contained HTML), its
// plots (PNG and SVG), study.json and the merged bench.json, from what the study's stages left.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "report/study_report.h"

namespace greenbert::cli {
namespace {

struct ReportArgs {
  std::string study;
  int64_t lifetime_predictions = -1;
  std::string gnuplot = "gnuplot";
};

void run(const ReportArgs& args) {
  ReportOptions options;
  if (args.lifetime_predictions >= 0) options.lifetime_predictions = args.lifetime_predictions;
  options.plots.gnuplot = args.gnuplot;
  // The report names its study's directory: as the study runs it (--study .), that is "."
  const std::filesystem::path dir = std::filesystem::weakly_canonical(args.study);
  const ReportSummary summary = write_study_report(dir, options);
  for (const auto& sentence : summary.recommendation) std::printf("%s\n", sentence.c_str());
  for (const auto& skipped : summary.skipped_plots)
    std::fprintf(stderr, "report: plot not drawn: %s\n", skipped.c_str());
  std::printf("report: wrote %zu files, %s/report.html and %s/report.md%s\n", summary.files.size(),
              dir.c_str(), dir.c_str(),
              summary.skipped_plots.empty() ? "" : " (some plots not drawn: see above)");
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report",
      "Write a study's report (report.md, self-contained report.html), its plots (PNG, SVG), "
      "study.json and the merged bench.json from what its stages left");
  cmd->add_option("--study", args->study, "Study directory (greenbert study --out DIR)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--lifetime-predictions", args->lifetime_predictions,
                  "Predictions over a model's life for the lifetime energy and the most "
                  "efficient model (default: the study's setting)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--gnuplot", args->gnuplot,
                  "The gnuplot program that draws the plots; without one, everything else is "
                  "written and the report says which plots were not drawn and why")
      ->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
