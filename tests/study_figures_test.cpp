// The report's figures (report/study_figures.h) from a study's stage records: a pretrained
// model's training energy is its pre-training and its fine-tuning together, and unknown while
// its pre-training did not finish.
#include <gtest/gtest.h>

#include "report/study_figures.h"

namespace greenbert {
namespace {

StageResult stage(const std::string& id, StageStatus status, double kwh) {
  StageResult result;
  result.record.id = id;
  result.record.status = status;
  result.energy = StageEnergy{60, kwh, kwh * 0.5, {"estimated"}};
  return result;
}

ConfigResult fp32(const std::string& model) {
  ConfigResult config;
  config.model = model;
  config.micro_f1 = 0.6;
  return config;
}

TEST(StudyFigures, APretrainedModelsTrainingIncludesItsPretraining) {
  StudyResults results;
  results.stages = {stage("m/train", StageStatus::done, 0.01),
                    stage("m-pretrained/pretrain", StageStatus::done, 0.02),
                    stage("m-pretrained/train", StageStatus::done, 0.005)};
  results.configs = {fp32("m"), fp32("m-pretrained")};
  StudyFigures figures = compute_figures(results, 0);
  ASSERT_EQ(figures.configs.size(), 2u);
  EXPECT_DOUBLE_EQ(figures.configs[0].training_kwh.value(), 0.01);
  EXPECT_DOUBLE_EQ(figures.configs[1].training_kwh.value(), 0.025);
  EXPECT_DOUBLE_EQ(figures.configs[1].training_kg.value(), 0.0125);
  EXPECT_DOUBLE_EQ(figures.configs[1].lifetime_kwh.value(), 0.025);

  results.stages[1].record.status = StageStatus::failed;  // the training is then not known in full
  figures = compute_figures(results, 0);
  EXPECT_FALSE(figures.configs[1].training_kwh.has_value());
  EXPECT_FALSE(figures.configs[1].lifetime_kwh.has_value());
  EXPECT_DOUBLE_EQ(figures.configs[0].training_kwh.value(), 0.01);
}

}  // namespace
}  // namespace greenbert
