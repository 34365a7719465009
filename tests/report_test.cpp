// `greenbert report` on the fixture study (tests/data/study/two_models: a study as greenbert wrote
// them before one precision spelling and versioned records, with round numbers): every file is
// produced, the table and the
// recommendation hold the figures computed by hand from the fixture's inputs, the HTML is
// self-contained, and every energy figure says how it was obtained.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/study_report.h"
#include "support.h"

namespace greenbert {
namespace {

// The fixture's inputs (tests/data/study/two_models/README.md).
constexpr double kIntensityKgPerKwh = 0.475;
constexpr double kTinyTrainKwh = 0.004;
constexpr double kTinybertTrainKwh = 0.03 + 0.02;  // interrupted, then resumed: both count
constexpr double kTinyInt8QuantizeKwh = 0.00002;
constexpr double kTinyInt8JoulesPer1000 = 8, kTinybertF32JoulesPer1000 = 200;
constexpr double kTinyInt8F1 = 0.605, kTinybertF32F1 = 0.660;
constexpr double kLifetime = 1'000'000;

std::filesystem::path copy_fixture(const std::string& name) {
  const auto dir = testing::temp_dir("report-" + name);
  std::filesystem::copy(testing::source_dir() / "tests/data/study/two_models", dir,
                        std::filesystem::copy_options::recursive);
  return dir;
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

const char* const kPlots[] = {"loss_curves",         "f1_vs_training_emissions",
                              "efficiency_per_kwh",  "efficiency_per_kg",
                              "inference_time",      "memory",
                              "throughput_vs_batch", "f1_vs_lifetime_energy"};

TEST(Report, WritesEveryFileAndPlot) {
  const auto dir = copy_fixture("files");
  auto result = testing::run_cli("report --study " + dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* name : kPlots) {
    const std::string png = read_file(dir / "plots" / (std::string(name) + ".png"));
    EXPECT_GT(png.size(), 2000u) << name;
    EXPECT_TRUE(starts_with(png, "\x89PNG\r\n\x1a\n")) << name;
    const std::string svg = read_file(dir / "plots" / (std::string(name) + ".svg"));
    EXPECT_NE(svg.find("<svg"), std::string::npos) << name;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << name;
    EXPECT_TRUE(std::filesystem::exists(dir / "plots" / (std::string(name) + ".gp"))) << name;
  }
  for (const char* file : {"report.md", "report.html", "study.json", "bench.json"})
    EXPECT_GT(std::filesystem::file_size(dir / file), 500u) << file;
  EXPECT_EQ(result.err, "") << "no plot skipped";
}

TEST(Report, TableAndRecommendationMatchAHandComputation) {
  const auto dir = copy_fixture("numbers");
  ASSERT_EQ(testing::run_cli("report --study " + dir.string()).exit_code, 0);
  const std::string md = read_file(dir / "report.md");

  // bert-tiny int8: lifetime = training + quantization + 1e6 predictions x 8 J / 1,000.
  const double lifetime_kwh =
      kTinyTrainKwh + kTinyInt8QuantizeKwh + kLifetime / 1000 * kTinyInt8JoulesPer1000 / 3.6e6;
  const double f1_per_kwh = kTinyInt8F1 / lifetime_kwh;  // 96.92...
  const std::string row =
      "| bert-tiny | int8 | 0.605 | 0.295 | " + format("%.3g", kTinyTrainKwh * kIntensityKgPerKwh) +
      " | " + format("%.3g", kTinyTrainKwh) + " | 8 | " + format("%.3g", lifetime_kwh) + " | " +
      format("%.3g", f1_per_kwh) + " | ✓ | 1.2 | 0.012 | 50.0 | 1.6 | E1, E2 |";
  EXPECT_NE(md.find(row), std::string::npos) << row << "\n" << md;
  EXPECT_NE(md.find("| tinybert | fp32 | 0.660 | 0.380 | " +
                    format("%.3g", kTinybertTrainKwh * kIntensityKgPerKwh) + " | 0.05 |"),
            std::string::npos)
      << md;

  // Most accurate tinybert fp32, most efficient bert-tiny int8 (the highest F1 per lifetime kWh).
  const double training_saving =
      100 * (1 - kTinyTrainKwh * kIntensityKgPerKwh / (kTinybertTrainKwh * kIntensityKgPerKwh));
  const double inference_saving = 100 * (1 - kTinyInt8JoulesPer1000 / kTinybertF32JoulesPer1000);
  const double drop = 100 * (kTinybertF32F1 - kTinyInt8F1);
  EXPECT_EQ(format("%.1f", training_saving), "92.0");
  EXPECT_EQ(format("%.1f", inference_saving), "96.0");
  EXPECT_NE(md.find("Most accurate: tinybert fp32 (test micro-F1 0.660, macro-F1 0.380)."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Most efficient: bert-tiny int8 (" + format("%.3g", f1_per_kwh) +
                    " micro-F1 per kWh over its lifetime: training, quantization and "
                    "1,000,000 predictions at batch size 16)."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Choosing bert-tiny int8 over tinybert fp32 saves " +
                    format("%.1f", training_saving) + " % of training emissions and " +
                    format("%.1f", inference_saving) + " % of inference energy for a drop of " +
                    format("%.1f", drop) + " points of micro-F1."),
            std::string::npos)
      << md;

  const auto study = nlohmann::json::parse(read_file(dir / "study.json"));
  EXPECT_EQ(study.at("format"), "greenbert-study");
  ASSERT_EQ(study.at("configurations").size(), 6u);
  const auto& int8 = study.at("configurations").at(2);
  EXPECT_EQ(int8.at("model"), "bert-tiny");
  EXPECT_EQ(int8.at("precision"), "int8");
  EXPECT_NEAR(int8.at("lifetime").at("kwh").get<double>(), lifetime_kwh, 1e-12);
  EXPECT_NEAR(int8.at("micro_f1_per_kwh").get<double>(), f1_per_kwh, 1e-9);
  EXPECT_DOUBLE_EQ(int8.at("latency_b1_ms").get<double>(), 1.2);
  const auto& rec = study.at("recommendation");
  EXPECT_EQ(rec.at("most_accurate"), "tinybert fp32");
  EXPECT_EQ(rec.at("most_efficient"), "bert-tiny int8");
  EXPECT_NEAR(rec.at("training_saving_percent").get<double>(), training_saving, 1e-9);
  EXPECT_NEAR(rec.at("inference_saving_percent").get<double>(), inference_saving, 1e-9);
  EXPECT_NEAR(rec.at("f1_drop_points").get<double>(), drop, 1e-9);
}

// The fixture with bert-tiny fp32 brought down to bf16's micro-F1 (as accurate, dearer) and
// tinybert bf16 below every bert-tiny (dearer and worse): both fall off the frontier.
TEST(Report, ParetoFrontierIsInTheTableStudyJsonTextAndPlot) {
  const auto dir = copy_fixture("pareto");
  for (const auto& [file, f1] : {std::pair{"results/bert-tiny/eval-f32.json", 0.609},
                                 std::pair{"results/tinybert/eval-bf16.json", 0.600}}) {
    auto eval = nlohmann::json::parse(read_file(dir / file));
    eval["metrics"]["micro_f1"] = f1;
    write_file_atomically(dir / file, eval.dump(2));
  }
  ASSERT_EQ(testing::run_cli("report --study " + dir.string()).exit_code, 0);
  struct Config {
    const char* label;
    double train_kwh, quantize_kwh, joules_per_1000, f1;
    bool on_frontier;
  };
  // In study order; the fixture's README has the figures.
  const Config configs[] = {
      {"bert-tiny fp32", kTinyTrainKwh, 0, 20, 0.609, false},
      {"bert-tiny bf16", kTinyTrainKwh, 0.00001, 12, 0.609, true},
      {"bert-tiny int8", kTinyTrainKwh, kTinyInt8QuantizeKwh, kTinyInt8JoulesPer1000, kTinyInt8F1,
       true},
      {"tinybert fp32", kTinybertTrainKwh, 0, kTinybertF32JoulesPer1000, kTinybertF32F1, true},
      {"tinybert bf16", kTinybertTrainKwh, 0.00005, 90, 0.600, false},
      {"tinybert int8", kTinybertTrainKwh, 0.0001, 60, 0.655, true},
  };
  auto lifetime_kwh = [](const Config& c) {
    return c.train_kwh + c.quantize_kwh + kLifetime / 1000 * c.joules_per_1000 / 3.6e6;
  };
  const size_t cheapest_first[] = {2, 1, 5, 3};

  const auto study = nlohmann::json::parse(read_file(dir / "study.json"));
  ASSERT_EQ(study.at("configurations").size(), std::size(configs));
  for (size_t i = 0; i < std::size(configs); ++i) {
    const auto& config = study["configurations"][i];
    EXPECT_EQ(
        cat(config.at("model").get<std::string>(), " ", config.at("precision").get<std::string>()),
        configs[i].label);
    EXPECT_NEAR(config.at("lifetime").at("kwh").get<double>(), lifetime_kwh(configs[i]), 1e-12);
    EXPECT_EQ(config.at("pareto_optimal").get<bool>(), configs[i].on_frontier) << configs[i].label;
  }
  nlohmann::json frontier_labels = nlohmann::json::array();
  for (size_t i : cheapest_first) frontier_labels.push_back(configs[i].label);
  EXPECT_EQ(study.at("pareto_frontier"), frontier_labels);

  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("Pareto frontier of lifetime energy against test micro-F1, from the cheapest "
                    "configuration to the most accurate: bert-tiny int8, bert-tiny bf16, tinybert "
                    "int8, tinybert fp32. Every other configuration needs at least as much energy "
                    "as one of these for no better micro-F1. Membership compares the point "
                    "estimates of micro-F1, not their bootstrap intervals"),
            std::string::npos)
      << md;
  EXPECT_NE(study.at("recommendation").at("text").get<std::string>().find("Pareto frontier"),
            std::string::npos);
  // The table's Pareto column follows micro-F1 per kWh.
  for (const Config& c : configs) {
    const double per_kwh = c.f1 / lifetime_kwh(c);
    const std::string cells = cat(" | ", format("%.3g", lifetime_kwh(c)), " | ",
                                  format("%.3g", per_kwh), " | ", c.on_frontier ? "✓" : "", " |");
    EXPECT_NE(md.find(cells), std::string::npos) << c.label << ": " << cells << "\n" << md;
  }

  // The plot: the frontier's steps through its points in order, then one point per configuration.
  const std::string script = read_file(dir / "plots/f1_vs_lifetime_energy.gp");
  const std::string block = "$s0 << EOD\n";
  const size_t begin = script.find(block);
  ASSERT_NE(begin, std::string::npos) << script;
  std::istringstream steps(script.substr(
      begin + block.size(), script.find("EOD", begin + block.size()) - begin - block.size()));
  for (size_t i : cheapest_first) {
    double x = 0, y = 0;
    ASSERT_TRUE(steps >> x >> y) << configs[i].label << "\n" << script;
    EXPECT_NEAR(x, lifetime_kwh(configs[i]), 1e-9) << configs[i].label;
    EXPECT_DOUBLE_EQ(y, configs[i].f1) << configs[i].label;
  }
  double extra = 0;
  EXPECT_FALSE(steps >> extra) << "only the frontier's points";
  EXPECT_NE(script.find("$s0 using 1:2 with steps lw 2 dt 2 lc rgb 'black' title 'Pareto "
                        "frontier'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("'tinybert bf16'"), std::string::npos) << "every point is drawn";
}

TEST(Report, WithoutLifetimePredictionsTrainingDecidesEfficiency) {
  const auto dir = copy_fixture("lifetime");
  auto result = testing::run_cli("report --study " + dir.string() + " --lifetime-predictions 0");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // fp32 needs no quantization: 0.610 / 0.004 = 152.5 beats int8's 0.605 / 0.00402 = 150.5.
  EXPECT_NE(result.out.find("Most efficient: bert-tiny fp32 (152 micro-F1 per kWh over its "
                            "lifetime: training and quantization)."),
            std::string::npos)
      << result.out;
}

TEST(Report, EveryEnergyFigureSaysHowItWasObtained) {
  const auto dir = copy_fixture("sources");
  ASSERT_EQ(testing::run_cli("report --study " + dir.string()).exit_code, 0);
  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("- **E1**: estimated, not measured (RAPL: /sys/class/powercap not present"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("assumed TDP 8 W (unknown model: CodeCarbon's default 4 W per thread x 2 "
                    "threads)"),
            std::string::npos);
  EXPECT_NE(md.find("Carbon intensity 475 g CO2eq/kWh"), std::string::npos);
  EXPECT_NE(md.find("- **E2**: greenbert bench's own tracker"), std::string::npos);
  EXPECT_EQ(md.find(": measured ("), std::string::npos) << "nothing here was measured";
  // Hardware, settings and baselines are stated.
  EXPECT_NE(md.find("- **CPU**: Intel(R) Xeon(R) Processor, 2 physical cores"), std::string::npos);
  EXPECT_NE(md.find("- **Threads**: 2"), std::string::npos);
  EXPECT_NE(md.find("| tinybert | fp32 | pytorch | 16 | 0.36 | 0.12 | 3.00x | 450.0 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("greenbert eval --model models/bert-tiny/int8 --data data --split test "
                    "--max-length 150 --threads 2 --json > results/bert-tiny/eval-int8.json"),
            std::string::npos);
}

TEST(Report, MergesBenchRecordsUnderTheStudysNames) {
  const auto dir = copy_fixture("bench");
  ASSERT_EQ(testing::run_cli("report --study " + dir.string()).exit_code, 0);
  const auto bench = nlohmann::json::parse(read_file(dir / "bench.json"));
  ASSERT_EQ(bench.size(), 7u);  // 2 models x 3 precisions + the PyTorch/ORT baseline record
  EXPECT_EQ(bench[0].at("model_name"), "bert-tiny");  // bench called it after its directory
  EXPECT_EQ(bench[0].at("precision"), "fp32");        // one spelling, whatever the file said
  EXPECT_EQ(bench[0].at("cpp").size(), 3u);
  EXPECT_TRUE(bench[6].contains("pytorch"));
  EXPECT_TRUE(bench[6].contains("onnxruntime"));
}

TEST(Report, HtmlIsSelfContained) {
  const auto dir = copy_fixture("html");
  ASSERT_EQ(testing::run_cli("report --study " + dir.string()).exit_code, 0);
  const std::string html = read_file(dir / "report.html");
  EXPECT_TRUE(starts_with(html, "<!DOCTYPE html>"));
  size_t images = 0;
  for (size_t at = html.find("data:image/svg+xml;base64,"); at != std::string::npos;
       at = html.find("data:image/svg+xml;base64,", at + 1))
    ++images;
  EXPECT_EQ(images, std::size(kPlots));
  for (const char* external :
       {"src=\"http", "href=\"http", "src=\"plots/", "<link", "<script", "url("})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  EXPECT_NE(html.find("<td>bert-tiny</td><td>int8</td><td class=\"num\">0.605</td>"),
            std::string::npos);
}

TEST(Report, SaysWhenEveryModelScoresTheSame) {
  const auto dir = copy_fixture("alike");
  auto result = testing::run_cli("report --study " + dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string alike = "Every configuration scores exactly the same micro-F1";
  EXPECT_EQ(read_file(dir / "report.md").find(alike), std::string::npos);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "results")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("eval-", 0) != 0) continue;
    auto eval = nlohmann::json::parse(read_file(entry.path()));
    eval["metrics"]["micro_f1"] = 0.4125;
    eval["metrics"]["macro_f1"] = 0.0142;
    write_file_atomically(entry.path(), eval.dump(2));
  }
  result = testing::run_cli("report --study " + dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(read_file(dir / "report.md").find(alike), std::string::npos);
}

// tinybert gives every paper the same labels (the priors) yet has the best micro-F1; bert-tiny
// reads the papers, equally well in every precision.
TEST(Report, NeverRecommendsTheLabelPriorsAndTiesOverlappingIntervals) {
  const auto dir = copy_fixture("priors");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "results")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("eval-", 0) != 0) continue;
    const bool priors = entry.path().parent_path().filename() == "tinybert";
    auto eval = nlohmann::json::parse(read_file(entry.path()));
    nlohmann::json truth = nlohmann::json::array(), predicted = nlohmann::json::array();
    for (int i = 0; i < 200; ++i) {
      truth.push_back({i % 6});
      predicted.push_back(priors ? nlohmann::json{0} : nlohmann::json{i % 6});
    }
    eval["version"] = 2;
    eval["papers"] = {{"true", truth}, {"predicted", predicted}};
    eval["metrics"]["micro_f1"] = priors ? 0.99 : 0.9;
    write_file_atomically(entry.path(), eval.dump(2));
  }
  auto result = testing::run_cli("report --study " + dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string report = read_file(dir / "report.md");
  for (const char* precision : {"fp32", "bf16", "int8"})
    EXPECT_NE(report.find(cat("tinybert ", precision,
                              " learned only the label priors: it gives "
                              "100 % of the test papers the same labels")),
              std::string::npos)
        << report;
  EXPECT_EQ(report.find("Most accurate: tinybert"), std::string::npos) << report;
  EXPECT_NE(report.find("Most accurate: bert-tiny"), std::string::npos) << report;
  // Perfect predictions resample to F1 1 every time: the intervals are [1, 1] and coincide.
  EXPECT_NE(report.find("It is not distinguishably more accurate than bert-tiny"),
            std::string::npos)
      << report;
  // Of bert-tiny's equally accurate precisions only the cheapest, int8, is on the frontier;
  // tinybert's higher micro-F1 does not count.
  EXPECT_NE(report.find("Pareto frontier of lifetime energy against test micro-F1: bert-tiny int8 "
                        "alone, at least as cheap and as accurate as every other configuration."),
            std::string::npos)
      << report;
  const auto study = nlohmann::json::parse(read_file(dir / "study.json"));
  EXPECT_EQ(study.at("pareto_frontier"), nlohmann::json({"bert-tiny int8"}));
  for (const auto& config : study["configurations"]) {
    EXPECT_EQ(config["pareto_optimal"].get<bool>(),
              config["model"] == "bert-tiny" && config["precision"] == "int8");
    EXPECT_EQ(config["learned_only_label_priors"].get<bool>(), config["model"] == "tinybert");
    if (config["model"] == "bert-tiny") {
      EXPECT_EQ(config["micro_f1_interval"], nlohmann::json({1.0, 1.0}));
    }
  }
}

TEST(Report, FailedStagesLeaveGapsNotErrors) {
  const auto dir = copy_fixture("gaps");
  auto state = nlohmann::json::parse(read_file(dir / "study_state.json"));
  for (auto& stage : state.at("stages")) {
    if (stage.at("id") == "bert-tiny/bench-int8") {
      stage["status"] = "failed";
      stage["failure"] = "exit code 1";
    }
    if (stage.at("id") == "tinybert/train") stage["status"] = "interrupted";
  }
  write_file_atomically(dir / "study_state.json", state.dump(2));
  auto result = testing::run_cli("report --study " + dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("| bert-tiny | int8 | 0.605 | 0.295 | 0.0019 | 0.004 | — | — | — | — | — | "
                    "— | — | — | E1 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| tinybert | fp32 | 0.660 | 0.380 | — | — | 200 | — | — |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| bert-tiny/bench-int8 | failed | 1 |"), std::string::npos);
  // Only what finished is plotted: bert-tiny's curves, not the unfinished tinybert's.
  const std::string loss_script = read_file(dir / "plots/loss_curves.gp");
  EXPECT_NE(loss_script.find("'bert-tiny validation'"), std::string::npos) << loss_script;
  EXPECT_EQ(loss_script.find("tinybert"), std::string::npos) << loss_script;
  // The most efficient is chosen among the configurations that have their figures.
  EXPECT_NE(md.find("Most efficient: bert-tiny bf16"), std::string::npos) << md;
}

TEST(Report, WithoutGnuplotEverythingButThePlotsIsWrittenAndTheSkipIsSaid) {
  const auto dir = copy_fixture("no-gnuplot");
  const std::string missing = (dir / "no-such-gnuplot").string();
  auto result = testing::run_cli("report --study " + dir.string() + " --gnuplot " + missing);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* file : {"report.md", "report.html", "study.json", "bench.json"})
    EXPECT_GT(std::filesystem::file_size(dir / file), 500u) << file;
  // Said on the console and in the report: which plots, why, and how to draw them later.
  std::string md = read_file(dir / "report.md");
  std::erase(md, '\\');  // Markdown's escapes: loss\_curves
  for (const std::string& text : {result.err, md}) {
    for (const char* name : kPlots) EXPECT_NE(text.find(name), std::string::npos) << name;
    EXPECT_NE(text.find("cannot run '" + missing + "'"), std::string::npos) << text;
    EXPECT_NE(text.find("gnuplot-nox"), std::string::npos) << text;
  }
  EXPECT_NE(result.out.find("some plots not drawn"), std::string::npos) << result.out;
  for (const char* name : kPlots) {
    EXPECT_TRUE(std::filesystem::exists(dir / "plots" / (std::string(name) + ".gp"))) << name;
    EXPECT_FALSE(std::filesystem::exists(dir / "plots" / (std::string(name) + ".png"))) << name;
  }
  // The report links no picture it does not have.
  EXPECT_EQ(read_file(dir / "report.md").find(".png"), std::string::npos);
  EXPECT_EQ(read_file(dir / "report.html").find("<img"), std::string::npos);
  EXPECT_NE(nlohmann::json::parse(read_file(dir / "study.json")).at("configurations").size(), 0u);
}

TEST(Report, APlotGnuplotFailsOnIsSkippedWithWhatItSaid) {
  const auto dir = copy_fixture("gnuplot-fails");
  const auto gnuplot = dir / "broken-gnuplot";
  std::ofstream(gnuplot) << "#!/bin/sh\necho \"unknown or ambiguous terminal type\" >&2\nexit 1\n";
  std::filesystem::permissions(gnuplot, std::filesystem::perms::owner_all);
  auto result =
      testing::run_cli("report --study " + dir.string() + " --gnuplot " + gnuplot.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string md = read_file(dir / "report.md");
  std::erase(md, '\\');
  for (const char* name : kPlots)
    EXPECT_NE(md.find(cat("Not drawn: ", name, ": ")), std::string::npos) << name << "\n" << md;
  EXPECT_NE(md.find("unknown or ambiguous terminal type"), std::string::npos) << md;
  EXPECT_NE(result.err.find("unknown or ambiguous terminal type"), std::string::npos) << result.err;
}

TEST(Report, RefusesADirectoryThatIsNotAStudy) {
  const auto dir = testing::temp_dir("report-not-a-study");
  auto result = testing::run_cli("report --study " + dir.string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("study_state.json: missing"), std::string::npos) << result.err;
}

TEST(Report, UnreadableOutputOfAFinishedStageIsAnError) {
  const auto dir = copy_fixture("broken");
  std::ofstream(dir / "results/tinybert/eval-bf16.json") << "{\"format\": \"greenbert-eval\"";
  auto result = testing::run_cli("report --study " + dir.string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("results/tinybert/eval-bf16.json: not valid JSON"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace greenbert
