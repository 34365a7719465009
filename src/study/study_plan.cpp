#include "study/study_plan.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "study/study_layout.h"

namespace greenbert {
namespace {

namespace layout = study_layout;

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += cat(out.empty() ? "" : ",", v);
  return out;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

Stage new_stage(const std::string& model, const std::string& kind, double size = 0) {
  Stage stage;
  stage.id = model.empty() ? kind : model + "/" + kind;
  stage.model = model;
  stage.kind = kind;
  stage.size = size;
  return stage;
}

// Pre-training of a pretrained model's encoder on the training split, with the study's
// vocabulary, length, seed and threads.
Stage pretrain_stage(const StudySettings& s, const StudyModel& m, bool vocab_stage) {
  const std::string out = layout::pretrain_dir(m.name);
  Stage pretrain = new_stage(m.name, "pretrain", m.size);
  pretrain.args = {"pretrain",
                   "--data",
                   layout::kDataDir,
                   "--preset",
                   m.preset,
                   "--vocab",
                   s.vocab.empty() ? layout::kVocab : s.vocab,
                   "--out",
                   out,
                   "--epochs",
                   cat(s.pretrain_epochs),
                   "--max-length",
                   cat(s.max_length),
                   "--seed",
                   cat(s.seed),
                   "--threads",
                   cat(s.threads)};
  append(pretrain.args, s.energy_args);
  pretrain.depends_on = {"split"};
  if (vocab_stage) pretrain.depends_on.push_back("vocab");
  pretrain.outputs = {out + "/config.json", out + "/model.safetensors",
                      out + "/pretrain_metrics.json"};
  pretrain.owned = {out};
  pretrain.checkpoint = out + "/checkpoint";
  return pretrain;
}

std::vector<Stage> model_stages(const StudySettings& s, const StudyModel& m, bool vocab_stage) {
  std::vector<Stage> stages;
  auto dir_name = [&](Precision p) { return layout::precision_dir(p, s.layout); };
  const std::string trained = layout::model_dir(m.name, dir_name(Precision::fp32));
  Stage train = new_stage(m.name, "train", m.size);
  train.args = {"train", "--data", layout::kDataDir, "--out", trained};
  if (m.pretrained) {
    stages.push_back(pretrain_stage(s, m, vocab_stage));
    append(train.args, {"--init", layout::pretrain_dir(m.name)});
  } else if (!m.preset.empty()) {
    append(train.args,
           {"--preset", m.preset, "--vocab", s.vocab.empty() ? layout::kVocab : s.vocab});
  } else {
    append(train.args, {"--init", m.init});
  }
  // The study's epochs and length are the encoders': the linear baseline keeps its own.
  const int64_t max_length = m.linear() ? kLinearMaxLength : s.max_length;
  if (s.epochs && !m.linear()) append(train.args, {"--epochs", cat(*s.epochs)});
  append(train.args,
         {"--max-length", cat(max_length), "--seed", cat(s.seed), "--threads", cat(s.threads)});
  append(train.args, s.energy_args);
  train.depends_on = {"split"};
  if (m.pretrained)
    train.depends_on.push_back(stages.back().id);
  else if (!m.preset.empty() && vocab_stage)
    train.depends_on.push_back("vocab");
  train.outputs = {trained + "/config.json", trained + "/model.safetensors",
                   trained + "/metrics.json"};
  train.owned = {trained};
  train.checkpoint = trained + "/checkpoint";
  stages.push_back(train);

  auto eval = [&](const std::string& precision, const std::string& after) {
    Stage e = new_stage(m.name, "eval-" + precision, m.size);
    e.args = {"eval",      "--model",        layout::model_dir(m.name, precision),
              "--data",    layout::kDataDir, "--split",
              "test",      "--max-length",   cat(max_length),
              "--threads", cat(s.threads),   "--json"};
    append(e.args, s.energy_args);
    e.depends_on = {after};
    e.stdout_file = layout::eval_json(m.name, precision);
    e.outputs = {e.stdout_file};
    e.owned = {e.stdout_file};
    return e;
  };
  std::map<std::string, std::string> producer;  // precision -> the stage making its model
  for (const Precision p : model_precisions(s, m)) {
    const std::string precision = dir_name(p);
    if (p == Precision::fp32) {
      producer[precision] = train.id;
      stages.push_back(eval(precision, train.id));
      continue;
    }
    const std::string out = layout::model_dir(m.name, precision);
    Stage q = new_stage(m.name, "quantize-" + precision, m.size);
    q.args = {"quantize", "--model",      trained,           "--precision", precision,     "--out",
              out,        "--max-length", cat(s.max_length), "--threads",   cat(s.threads)};
    append(q.args, s.energy_args);
    q.depends_on = {train.id};
    q.outputs = {out + "/config.json", out + "/model.safetensors"};
    q.owned = {out};
    producer[precision] = q.id;
    stages.push_back(q);
    stages.push_back(eval(precision, q.id));
  }
  for (const Precision p : model_precisions(s, m)) {
    const std::string precision = dir_name(p);
    Stage b = new_stage(m.name, "bench-" + precision, m.size);
    const std::string out = layout::bench_json(m.name, precision);
    // One call per precision, on the directory its eval stage scored: given an fp32 directory
    // and several precisions, bench would quantize its own copies instead.
    b.args = {"bench",
              "--model",
              layout::model_dir(m.name, precision),
              "--precisions",
              precision,
              "--data",
              layout::kDataDir,
              "--batch-sizes",
              join(s.batch_sizes),
              "--max-length",
              cat(max_length),
              "--repeats",
              cat(s.bench_repeats),
              "--threads",
              cat(s.threads),
              "--out",
              out,
              "--work-dir",
              layout::bench_work_dir(m.name, precision),
              "--emissions",
              layout::bench_work_dir(m.name, precision) + "/emissions.csv"};
    if (s.bench_rows > 0) append(b.args, {"--throughput-rows", cat(s.bench_rows)});
    append(b.args, s.energy_args);
    b.depends_on = {producer[precision]};
    b.outputs = {out};
    b.owned = {out, layout::bench_work_dir(m.name, precision)};
    stages.push_back(b);
  }
  return stages;
}

}  // namespace

std::vector<Stage> plan_study(const StudySettings& s) {
  if (s.models.empty()) fail("study: no model to train");
  std::vector<Stage> plan;
  Stage split = new_stage("", "split");
  split.args = {"data",  "split",          "--data", s.data,
                "--out", layout::kDataDir, "--seed", cat(s.seed)};
  if (s.max_rows > 0) append(split.args, {"--max-rows", cat(s.max_rows)});
  for (const char* file : {"train.csv", "val.csv", "test.csv", "labels.json"})
    split.outputs.push_back(cat(layout::kDataDir, "/", file));
  split.owned = {layout::kDataDir};
  plan.push_back(split);

  const bool vocab_stage =
      s.vocab.empty() && std::any_of(s.models.begin(), s.models.end(),
                                     [](const auto& m) { return !m.preset.empty(); });
  if (vocab_stage) {
    Stage vocab = new_stage("", "vocab");
    vocab.args = {"vocab",           "--data", layout::kDataDir, "--size",
                  cat(s.vocab_size), "--out",  layout::kVocab};
    vocab.depends_on = {"split"};
    vocab.outputs = {layout::kVocab, cat(layout::kVocabDir, "/tokenizer_config.json")};
    vocab.owned = {layout::kVocabDir};
    plan.push_back(vocab);
  }
  for (const auto& model : s.models) {
    auto stages = model_stages(s, model, vocab_stage);
    plan.insert(plan.end(), stages.begin(), stages.end());
  }
  Stage report = new_stage("", "report");
  report.after_failures = true;
  report.args = {"report", "--study", ".", "--lifetime-predictions", cat(s.lifetime_predictions)};
  for (const auto& stage : plan) report.depends_on.push_back(stage.id);
  report.outputs = {layout::kReportMd, layout::kReportHtml, layout::kStudyJson, layout::kBenchJson};
  plan.push_back(report);
  return plan;
}

std::vector<StageDecision> decide_stages(const std::vector<Stage>& plan, const StudyState* previous,
                                         const std::filesystem::path& dir) {
  std::vector<StageDecision> decisions;
  std::map<std::string, StageAction> action_of;
  for (const Stage& stage : plan) {
    StageDecision d{StageAction::run, ""};
    const StageRecord* before = previous ? previous->find(stage.id) : nullptr;
    std::string rerun_dependency;
    for (const auto& dep : stage.depends_on) {
      auto found = action_of.find(dep);
      if (found != action_of.end() && found->second != StageAction::skip) {
        rerun_dependency = dep;
        break;
      }
    }
    if (before == nullptr) {
      d.reason = "not run before";
    } else if (before->command != stage.args) {
      d.reason = "its command changed";
    } else if (!rerun_dependency.empty()) {
      d.reason = cat(rerun_dependency, " runs again");
    } else if (before->status == StageStatus::done) {
      std::string mismatch;
      for (const auto& print : before->outputs) {
        mismatch = fingerprint_mismatch(dir, print);
        if (!mismatch.empty()) break;
      }
      if (mismatch.empty())
        d = {StageAction::skip, "done, outputs unchanged"};
      else
        d.reason = mismatch;
    } else {
      d.reason = cat("was ", stage_status_name(before->status));
      d.continues = before->status == StageStatus::running ||
                    before->status == StageStatus::failed ||
                    before->status == StageStatus::interrupted;
      if (d.continues && !stage.checkpoint.empty() &&
          std::filesystem::exists(dir / stage.checkpoint)) {
        d.action = StageAction::resume;
        d.reason += "; resumes from its checkpoint";
      }
    }
    action_of[stage.id] = d.action;
    decisions.push_back(d);
  }
  return decisions;
}

std::optional<double> estimate_seconds(std::span<const FinishedStage> finished,
                                       const std::string& kind, double size) {
  double total = 0;
  int count = 0;
  for (const auto& f : finished) {
    if (f.kind != kind) continue;
    const double scale = (size > 0 && f.size > 0) ? size / f.size : 1.0;
    total += f.seconds * scale;
    ++count;
  }
  if (count == 0) return std::nullopt;
  return total / count;
}

}  // namespace greenbert
