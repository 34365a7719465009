// The study's plan, its manifest and the decision of what to run again: the logic that makes
// `greenbert study` resumable, tested without running any stage.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "study/study_plan.h"
#include "study/study_settings.h"
#include "study/study_state.h"
#include "support.h"

namespace greenbert {
namespace {

StudySettings tiny_settings() {
  StudySettings s;
  s.data = "/data/papers.csv";
  s.max_rows = 500;
  s.epochs = 1;
  s.threads = 2;
  s.models = {{"bert-tiny", "bert-tiny", "", 100.0}};
  s.precisions = {Precision::fp32, Precision::int8};
  s.batch_sizes = {1, 16};
  s.vocab_size = 1000;
  s.max_length = 64;
  s.bench_repeats = 3;
  s.bench_rows = 40;
  s.energy_args = {"--country", "FRA"};
  return s;
}

std::vector<std::string> ids(const std::vector<Stage>& plan) {
  std::vector<std::string> out;
  for (const auto& s : plan) out.push_back(s.id);
  return out;
}

bool has(const std::vector<std::string>& args, const std::vector<std::string>& part) {
  return std::search(args.begin(), args.end(), part.begin(), part.end()) != args.end();
}

const Stage& find(const std::vector<Stage>& plan, const std::string& id) {
  for (const auto& s : plan)
    if (s.id == id) return s;
  throw Error("no stage " + id);
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A study directory where every planned stage finished: its outputs exist and the manifest
// records them.
StudyState finished_study(const std::vector<Stage>& plan, const std::filesystem::path& dir) {
  StudyState state;
  state.settings = tiny_settings();
  for (const auto& stage : plan) {
    StageRecord r;
    r.id = stage.id;
    r.model = stage.model;
    r.kind = stage.kind;
    r.command = stage.args;
    r.status = StageStatus::done;
    r.attempts = 1;
    r.seconds = 10;
    for (const auto& output : stage.outputs) {
      write(dir / output, "output of " + stage.id);
      r.outputs.push_back(fingerprint_file(dir, output));
    }
    state.stages.push_back(r);
  }
  return state;
}

std::map<std::string, StageDecision> by_id(const std::vector<Stage>& plan,
                                           const std::vector<StageDecision>& decisions) {
  std::map<std::string, StageDecision> out;
  for (size_t i = 0; i < plan.size(); ++i) out[plan[i].id] = decisions[i];
  return out;
}

TEST(StudyPlan, OrdersStagesAfterWhatTheyNeed) {
  const auto plan = plan_study(tiny_settings());
  EXPECT_EQ(ids(plan),
            (std::vector<std::string>{"split", "vocab", "bert-tiny/train", "bert-tiny/eval-fp32",
                                      "bert-tiny/quantize-int8", "bert-tiny/eval-int8",
                                      "bert-tiny/bench-fp32", "bert-tiny/bench-int8", "report"}));
  std::set<std::string> seen;
  for (const auto& stage : plan) {
    for (const auto& dep : stage.depends_on) EXPECT_TRUE(seen.count(dep)) << stage.id << " " << dep;
    seen.insert(stage.id);
  }
  EXPECT_EQ(find(plan, "report").depends_on.size(), plan.size() - 1);
  EXPECT_TRUE(find(plan, "report").after_failures);
  EXPECT_EQ(find(plan, "bert-tiny/bench-int8").depends_on,
            std::vector<std::string>{"bert-tiny/quantize-int8"});
  EXPECT_EQ(find(plan, "bert-tiny/eval-int8").stdout_file, "results/bert-tiny/eval-int8.json");
  EXPECT_EQ(find(plan, "bert-tiny/train").checkpoint, "models/bert-tiny/fp32/checkpoint");
}

TEST(StudyPlan, CommandsCarryTheSettings) {
  const auto plan = plan_study(tiny_settings());
  const auto& split = find(plan, "split").args;
  EXPECT_TRUE(has(split, {"--data", "/data/papers.csv"}));
  EXPECT_TRUE(has(split, {"--max-rows", "500"}));
  const auto& train = find(plan, "bert-tiny/train").args;
  EXPECT_TRUE(has(train, {"--preset", "bert-tiny", "--vocab", "vocab/vocab.txt"}));
  EXPECT_TRUE(has(train, {"--epochs", "1"}));
  EXPECT_TRUE(has(train, {"--threads", "2"}));
  EXPECT_TRUE(has(train, {"--country", "FRA"}));
  EXPECT_TRUE(has(find(plan, "bert-tiny/quantize-int8").args, {"--country", "FRA"}));
  // Each bench call measures the one directory its eval stage scored, at that precision only.
  const auto& bench = find(plan, "bert-tiny/bench-int8").args;
  EXPECT_TRUE(has(bench, {"--model", "models/bert-tiny/int8", "--precisions", "int8"}));
  EXPECT_TRUE(has(bench, {"--batch-sizes", "1,16"}));
  EXPECT_TRUE(has(bench, {"--repeats", "3"}));
  EXPECT_TRUE(has(bench, {"--throughput-rows", "40"}));
  // One token limit everywhere: a quantized directory has no training run to take it from.
  for (const char* id :
       {"bert-tiny/train", "bert-tiny/eval-fp32", "bert-tiny/eval-int8", "bert-tiny/bench-int8"})
    EXPECT_TRUE(has(find(plan, id).args, {"--max-length", "64"})) << id;
  // Every reading of the data is the split stage's directory (its --max-rows, its seed).
  for (const auto& stage : plan) {
    if (stage.id == "split" || stage.id == "report") continue;
    EXPECT_TRUE(has(stage.args, {"--data", "data"}) || stage.kind.rfind("quantize", 0) == 0)
        << stage.id;
  }
}

TEST(StudyPlan, VocabStageOnlyForPresetsWithoutAVocabulary) {
  StudySettings s = tiny_settings();
  s.vocab = "/vocab/vocab.txt";
  auto plan = plan_study(s);
  auto has_vocab = [](const std::vector<Stage>& stages) {
    const auto names = ids(stages);
    return std::find(names.begin(), names.end(), "vocab") != names.end();
  };
  EXPECT_FALSE(has_vocab(plan));
  EXPECT_EQ(find(plan, "bert-tiny/train").depends_on, std::vector<std::string>{"split"});
  s.vocab.clear();
  s.models = {{"hf", "", "/models/hf", 0.0}};
  plan = plan_study(s);
  EXPECT_FALSE(has_vocab(plan));
  const auto& train = find(plan, "hf/train").args;
  EXPECT_NE(std::find(train.begin(), train.end(), "--init"), train.end());
}

TEST(StudyPlan, APretrainedModelIsFineTunedFromItsOwnPretrainingStage) {
  StudySettings s = tiny_settings();
  s.pretrain_epochs = 2;
  s.models.push_back({"bert-tiny-pretrained", "bert-tiny", "", 100.0, true});
  const auto plan = plan_study(s);
  const auto names = ids(plan);
  const auto at = [&](const std::string& id) {
    return std::find(names.begin(), names.end(), id) - names.begin();
  };
  ASSERT_LT(at("bert-tiny-pretrained/pretrain"), at("bert-tiny-pretrained/train"));
  EXPECT_LT(at("vocab"), at("bert-tiny-pretrained/pretrain"));
  const Stage& pretrain = find(plan, "bert-tiny-pretrained/pretrain");
  EXPECT_TRUE(has(
      pretrain.args,
      {"pretrain", "--data", "data", "--preset", "bert-tiny", "--vocab", "vocab/vocab.txt", "--out",
       "models/bert-tiny-pretrained/pretrained", "--epochs", "2", "--max-length", "64"}));
  EXPECT_TRUE(has(pretrain.args, {"--threads", "2"}));
  EXPECT_TRUE(has(pretrain.args, {"--country", "FRA"}));
  EXPECT_EQ(pretrain.depends_on, (std::vector<std::string>{"split", "vocab"}));
  EXPECT_EQ(pretrain.checkpoint, "models/bert-tiny-pretrained/pretrained/checkpoint");
  const Stage& train = find(plan, "bert-tiny-pretrained/train");
  EXPECT_TRUE(has(train.args, {"--init", "models/bert-tiny-pretrained/pretrained"}));
  EXPECT_FALSE(has(train.args, {"--preset"}));
  EXPECT_EQ(train.depends_on, (std::vector<std::string>{"split", "bert-tiny-pretrained/pretrain"}));
  // The model trained from scratch is planned as before, without pre-training.
  EXPECT_EQ(std::count(names.begin(), names.end(), "bert-tiny/pretrain"), 0);
  EXPECT_TRUE(has(find(plan, "bert-tiny/train").args, {"--preset", "bert-tiny"}));
}

TEST(StudySettings, PretrainedModelsRoundTripAndOlderManifestsHaveNone) {
  StudySettings s = tiny_settings();
  s.pretrain_epochs = 3;
  s.models.push_back({"bert-tiny-pretrained", "bert-tiny", "", 100.0, true});
  nlohmann::json json = to_json(s);
  const StudySettings back = settings_from_json(json, "test");
  EXPECT_EQ(back.pretrain_epochs, 3);
  ASSERT_EQ(back.models.size(), 2u);
  EXPECT_FALSE(back.models[0].pretrained);
  EXPECT_TRUE(back.models[1].pretrained);
  json.erase("pretrain_epochs");
  EXPECT_EQ(settings_from_json(json, "test").pretrain_epochs, 1);
  json["models"][1].erase("preset");
  json["models"][1]["init"] = "/models/hf";
  EXPECT_THROW(settings_from_json(json, "test"), Error);
}

TEST(StudyPlan, RejectsUnknownPrecisionAndNoModel) {
  nlohmann::json manifest = to_json(tiny_settings());
  manifest["precisions"] = {"fp16"};
  EXPECT_THROW(settings_from_json(manifest, "study_state.json"), Error);
  StudySettings s = tiny_settings();
  s.models.clear();
  EXPECT_THROW(plan_study(s), Error);
}

// Studies begun before the precision vocabulary was unified (manifests without "layout") named
// fp32's directories and stages "f32": they keep those names, so a re-run skips what they did.
TEST(StudyPlan, LayoutOneStudiesKeepTheirF32Names) {
  nlohmann::json manifest = to_json(tiny_settings());
  manifest.erase("layout");
  manifest["precisions"] = {"f32", "int8"};
  const StudySettings old = settings_from_json(manifest, "study_state.json");
  EXPECT_EQ(old.layout, 1);
  EXPECT_EQ(old.precisions, (std::vector<Precision>{Precision::fp32, Precision::int8}));
  const auto plan = plan_study(old);
  EXPECT_EQ(find(plan, "bert-tiny/train").checkpoint, "models/bert-tiny/f32/checkpoint");
  EXPECT_TRUE(has(find(plan, "bert-tiny/bench-f32").args,
                  {"--model", "models/bert-tiny/f32", "--precisions", "f32"}));
  EXPECT_TRUE(has(find(plan, "bert-tiny/quantize-int8").args, {"--model", "models/bert-tiny/f32"}));
  EXPECT_EQ(to_json(old)["precisions"], (nlohmann::json{"f32", "int8"}));
  EXPECT_EQ(to_json(tiny_settings())["precisions"], (nlohmann::json{"fp32", "int8"}));
}

TEST(StudyDecisions, FirstRunRunsEverything) {
  const auto plan = plan_study(tiny_settings());
  for (const auto& d : decide_stages(plan, nullptr, testing::temp_dir("study-first"))) {
    EXPECT_EQ(d.action, StageAction::run);
    EXPECT_FALSE(d.continues);
  }
}

TEST(StudyDecisions, FinishedStudySkipsEverything) {
  const auto dir = testing::temp_dir("study-finished");
  const auto plan = plan_study(tiny_settings());
  const StudyState state = finished_study(plan, dir);
  for (const auto& d : decide_stages(plan, &state, dir)) EXPECT_EQ(d.action, StageAction::skip);
}

TEST(StudyDecisions, ChangedOutputRerunsItsStageAndWhatDependsOnIt) {
  const auto dir = testing::temp_dir("study-changed");
  const auto plan = plan_study(tiny_settings());
  const StudyState state = finished_study(plan, dir);
  // Same size, other content, a later time (set: the clock may not have ticked yet).
  const auto changed = dir / "models/bert-tiny/int8/model.safetensors";
  const auto before = std::filesystem::last_write_time(changed);
  write(changed, std::string("output of bert-tiny/quantize-int8").replace(0, 6, "OUTPUT"));
  std::filesystem::last_write_time(changed, before + std::chrono::seconds(1));
  auto d = by_id(plan, decide_stages(plan, &state, dir));
  EXPECT_EQ(d["bert-tiny/quantize-int8"].action, StageAction::run);
  EXPECT_EQ(d["bert-tiny/quantize-int8"].reason, "models/bert-tiny/int8/model.safetensors changed");
  EXPECT_EQ(d["bert-tiny/eval-int8"].action, StageAction::run);
  EXPECT_EQ(d["bert-tiny/eval-int8"].reason, "bert-tiny/quantize-int8 runs again");
  EXPECT_EQ(d["bert-tiny/bench-int8"].action, StageAction::run);
  EXPECT_EQ(d["report"].action, StageAction::run);
  for (const char* id :
       {"split", "vocab", "bert-tiny/train", "bert-tiny/eval-fp32", "bert-tiny/bench-fp32"})
    EXPECT_EQ(d[id].action, StageAction::skip) << id;
}

TEST(StudyDecisions, MissingOutputRerunsItsStage) {
  const auto dir = testing::temp_dir("study-missing");
  const auto plan = plan_study(tiny_settings());
  const StudyState state = finished_study(plan, dir);
  std::filesystem::remove(dir / "results/bert-tiny/bench-fp32.json");
  auto d = by_id(plan, decide_stages(plan, &state, dir));
  EXPECT_EQ(d["bert-tiny/bench-fp32"].action, StageAction::run);
  EXPECT_EQ(d["bert-tiny/bench-fp32"].reason, "results/bert-tiny/bench-fp32.json is missing");
  EXPECT_EQ(d["bert-tiny/bench-int8"].action, StageAction::skip);
}

TEST(StudyDecisions, TouchedButUnchangedOutputIsStillDone) {
  const auto dir = testing::temp_dir("study-touched");
  const auto plan = plan_study(tiny_settings());
  const StudyState state = finished_study(plan, dir);
  const auto path = dir / "data/train.csv";
  std::filesystem::last_write_time(
      path, std::filesystem::last_write_time(path) + std::chrono::seconds(5));
  auto d = by_id(plan, decide_stages(plan, &state, dir));
  EXPECT_EQ(d["split"].action, StageAction::skip);
}

TEST(StudyDecisions, ChangedSettingsRerunWhatTheyChange) {
  const auto dir = testing::temp_dir("study-settings");
  const StudyState state = finished_study(plan_study(tiny_settings()), dir);
  StudySettings more_epochs = tiny_settings();
  more_epochs.epochs = 3;
  const auto plan = plan_study(more_epochs);
  auto d = by_id(plan, decide_stages(plan, &state, dir));
  EXPECT_EQ(d["split"].action, StageAction::skip);
  EXPECT_EQ(d["bert-tiny/train"].action, StageAction::run);
  EXPECT_EQ(d["bert-tiny/train"].reason, "its command changed");
  EXPECT_FALSE(d["bert-tiny/train"].continues);
  EXPECT_EQ(d["bert-tiny/bench-int8"].action, StageAction::run);
}

TEST(StudyDecisions, CutShortTrainingResumesFromItsCheckpoint) {
  const auto dir = testing::temp_dir("study-resume");
  const auto plan = plan_study(tiny_settings());
  StudyState state = finished_study(plan, dir);
  state.find("bert-tiny/train")->status = StageStatus::interrupted;
  auto d = by_id(plan, decide_stages(plan, &state, dir));
  EXPECT_EQ(d["bert-tiny/train"].action, StageAction::run) << "no checkpoint yet";
  EXPECT_TRUE(d["bert-tiny/train"].continues);

  std::filesystem::create_directories(dir / "models/bert-tiny/fp32/checkpoint");
  d = by_id(plan, decide_stages(plan, &state, dir));
  EXPECT_EQ(d["bert-tiny/train"].action, StageAction::resume);
  EXPECT_TRUE(d["bert-tiny/train"].continues);
  EXPECT_EQ(d["bert-tiny/eval-fp32"].action, StageAction::run);

  state.find("bert-tiny/train")->status = StageStatus::blocked;
  d = by_id(plan, decide_stages(plan, &state, dir));
  EXPECT_EQ(d["bert-tiny/train"].action, StageAction::run) << "a blocked stage never started";
  EXPECT_FALSE(d["bert-tiny/train"].continues);
}

TEST(StudyState, RoundTripsThroughItsFile) {
  const auto dir = testing::temp_dir("study-state");
  StudyState state = finished_study(plan_study(tiny_settings()), dir);
  state.hardware = {{"cpu", "test CPU"}};
  state.stages[2].status = StageStatus::failed;
  state.stages[2].failure = "exit code 1";
  state.stages[2].energy_runs = {"run-a", "run-b"};
  write_study_state(dir / "study_state.json", state);
  const StudyState back = read_study_state(dir / "study_state.json");
  EXPECT_EQ(nlohmann::json(to_json(back.settings)), nlohmann::json(to_json(state.settings)));
  EXPECT_EQ(back.hardware, state.hardware);
  ASSERT_EQ(back.stages.size(), state.stages.size());
  for (size_t i = 0; i < back.stages.size(); ++i) {
    EXPECT_EQ(back.stages[i].id, state.stages[i].id);
    EXPECT_EQ(back.stages[i].status, state.stages[i].status);
    EXPECT_EQ(back.stages[i].command, state.stages[i].command);
    EXPECT_EQ(back.stages[i].energy_runs, state.stages[i].energy_runs);
    EXPECT_EQ(back.stages[i].failure, state.stages[i].failure);
    ASSERT_EQ(back.stages[i].outputs.size(), state.stages[i].outputs.size());
    for (size_t o = 0; o < back.stages[i].outputs.size(); ++o) {
      EXPECT_EQ(back.stages[i].outputs[o].hash, state.stages[i].outputs[o].hash);
      EXPECT_EQ(back.stages[i].outputs[o].mtime_ns, state.stages[i].outputs[o].mtime_ns);
    }
  }
}

TEST(StudyState, RefusesWhatItDidNotWrite) {
  const auto dir = testing::temp_dir("study-state-bad");
  const auto file = dir / "study_state.json";
  EXPECT_THROW(read_study_state(file), Error);
  write(file, "{\"format\": \"something-else\", \"version\": 1}");
  try {
    read_study_state(file);
    FAIL() << "accepted another format";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  write(file, "{\"format\": \"greenbert-study-state\", \"version\": 1, \"settings\": {}}");
  EXPECT_THROW(read_study_state(file), Error);
  write(file, "{\"format\": \"greenbert-study-state\", \"ver");
  EXPECT_THROW(read_study_state(file), Error);
}

TEST(StudyEta, ScalesFinishedStagesOfTheSameKindBySize) {
  const std::vector<FinishedStage> finished = {
      {"train", 100, 60}, {"train", 200, 100}, {"eval-fp32", 100, 4}};
  // 60 s x 400/100 = 240, 100 s x 400/200 = 200: mean 220.
  EXPECT_DOUBLE_EQ(*estimate_seconds(finished, "train", 400), 220);
  EXPECT_DOUBLE_EQ(*estimate_seconds(finished, "eval-fp32", 50), 2);
  EXPECT_FALSE(estimate_seconds(finished, "bench-int8", 100));
  // Unknown sizes are not scaled.
  EXPECT_DOUBLE_EQ(*estimate_seconds({{{"split", 0, 7}}}, "split", 0), 7);
}

}  // namespace
}  // namespace greenbert
