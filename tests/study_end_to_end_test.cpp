// `greenbert study` with its real stages on a tiny synthetic task: every stage command must be
// one the real train, eval, quantize, bench and report accept, the report must read the files
// they write, every phase must be in the study's emissions.csv, and a second run must skip all.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "core/atomic_file.h"
#include "energy/emissions_csv.h"
#include "study/study_state.h"
#include "support.h"
#include "train_support.h"

namespace greenbert {
namespace {

using nlohmann::json;

TEST(StudyEndToEnd, RealStagesWriteAReportAndAReRunSkipsThemAll) {
  const auto root = testing::temp_dir("study-end-to-end");
  const auto data = testing::write_synthetic_csv(root / "papers.csv", 300, 5);
  const auto dir = root / "study";
  const std::string command =
      cat("study --data ", data.string(), " --out ", dir.string(),
          " --models bert-tiny --epochs 1 --vocab-size 120 --max-length 48 --batch-sizes 1,4"
          " --bench-repeats 1 --bench-rows 8 --threads 1 --energy-interval 0.2");
  const auto first = testing::run_cli(command);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("stage 3/15: bert-tiny train"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("| eta "), std::string::npos) << "an ETA once stages have finished";

  const StudyState state = read_study_state(dir / "study_state.json");
  ASSERT_EQ(state.stages.size(), 15u);  // split, vocab, train, 3 eval, 2 quantize, 3 bench,
  // the linear baseline's train, eval and bench (f32 only), report
  std::set<std::string> stage_ids;
  for (const auto& stage : state.stages) {
    EXPECT_EQ(stage.status, StageStatus::done) << stage.id << ": " << stage.failure;
    stage_ids.insert(stage.id);
  }

  // Every stage is a phase of the study's energy record.
  std::set<std::string> phases;
  for (const auto& row : read_emissions_csv(dir / "emissions.csv"))
    phases.insert(row.experiment_id);
  EXPECT_EQ(phases, stage_ids);

  // The report read what the real commands wrote: F1 and benchmark figures for every precision.
  const json study = json::parse(read_file(dir / "study.json"));
  ASSERT_EQ(study.at("configurations").size(), 4u);  // bert-tiny x 3 precisions, linear
  for (const auto& config : study["configurations"]) {
    const std::string label = config.at("precision").get<std::string>();
    EXPECT_TRUE(config.at("micro_f1").is_number()) << label;
    EXPECT_TRUE(config.at("training").at("kwh").is_number()) << label;
    EXPECT_TRUE(config.at("inference").at("joules_per_1000_predictions").is_number()) << label;
    EXPECT_TRUE(config.at("peak_memory_mb").is_number()) << label;
    ASSERT_TRUE(config.at("bench").is_array()) << label;
    EXPECT_EQ(config["bench"].size(), 2u) << label << ": batch sizes 1 and 4";
  }
  // Every F1 has its bootstrap interval (eval lists every paper's labels); the linear
  // baseline reads the papers rather than predicting the label priors.
  for (const auto& config : study["configurations"]) {
    ASSERT_TRUE(config.at("micro_f1_interval").is_array()) << config["model"];
    EXPECT_LE(config["micro_f1_interval"][0].get<double>(),
              config["micro_f1_interval"][1].get<double>());
    EXPECT_TRUE(config.at("learned_only_label_priors").is_boolean());
  }
  const json& linear = study["configurations"][3];
  EXPECT_EQ(linear["model"], "linear");
  EXPECT_EQ(linear["precision"], "fp32");
  EXPECT_FALSE(linear["learned_only_label_priors"].get<bool>());
  // The frontier lists exactly the configurations flagged on it, and the trade-off plot draws the
  // linear baseline beside the encoders.
  std::set<std::string> flagged, listed;
  for (const auto& config : study["configurations"])
    if (config.at("pareto_optimal").get<bool>())
      flagged.insert(
          cat(config["model"].get<std::string>(), " ", config["precision"].get<std::string>()));
  for (const auto& label : study.at("pareto_frontier")) listed.insert(label.get<std::string>());
  EXPECT_FALSE(listed.empty());
  EXPECT_EQ(listed, flagged);
  const std::string tradeoff = read_file(dir / "plots/f1_vs_lifetime_energy.gp");
  EXPECT_NE(tradeoff.find("title 'linear fp32'"), std::string::npos) << tradeoff;
  EXPECT_NE(tradeoff.find("title 'Pareto frontier'"), std::string::npos) << tradeoff;
  EXPECT_EQ(study.at("data").at("test").get<int>() + study["data"].at("val").get<int>() +
                study["data"].at("train").get<int>(),
            300);
  const json merged = json::parse(read_file(dir / "bench.json"));
  EXPECT_EQ(merged.size(), 4u);
  const std::string report = read_file(dir / "report.md");
  EXPECT_NE(report.find("Most accurate: "), std::string::npos) << report;
  EXPECT_NE(report.find("| bert-tiny | int8 |"), std::string::npos) << report;
  for (const char* plot :
       {"loss_curves", "f1_vs_training_emissions", "efficiency_per_kwh", "efficiency_per_kg",
        "inference_time", "memory", "throughput_vs_batch", "f1_vs_lifetime_energy"}) {
    EXPECT_GT(std::filesystem::file_size(dir / "plots" / cat(plot, ".png")), 1000u) << plot;
    EXPECT_TRUE(std::filesystem::exists(dir / "plots" / cat(plot, ".svg"))) << plot;
  }

  // Evaluation and benchmarks ran on the test split of the study's own split.
  const json eval = json::parse(read_file(dir / "results/bert-tiny/eval-int8.json"));
  EXPECT_EQ(eval.at("data").at("examples").get<int>(), study["data"]["test"].get<int>());
  EXPECT_EQ(eval["data"].at("max_length").get<int>(), 48);

  const auto again = testing::run_cli(command);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("15 stages: 0 ran, 15 skipped"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace greenbert
