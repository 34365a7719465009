// The files one command writes and another reads have one definition each, with a format name and
// a version that readers check: eval records (report/eval_record.h) and benchmark records
// (report/bench_records.h).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/bench_records.h"
#include "report/eval_record.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string error_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

EvalRecord sample_eval() {
  EvalRecord r;
  r.model = {"bert-tiny", "bert", 1000, 2, 128, Precision::int8, 8192};
  r.split = "test";
  r.labels = {"cs.CL", "cs.LG"};
  r.thresholds = {0.35f};
  r.metrics = compute_metrics(std::vector<float>{0.9f, 0.1f, 0.2f, 0.8f},
                              std::vector<uint8_t>{1, 0, 0, 1}, 2, r.thresholds);
  r.seconds = 1.5;
  r.examples = 2;
  r.max_length = 150;
  r.text = "abstract";
  return r;
}

TEST(EvalRecord, WrittenAndReadByOneDefinition) {
  const auto dir = testing::temp_dir("format-eval");
  const EvalRecord record = sample_eval();
  const ordered_json j = to_json(record);
  EXPECT_EQ(j["format"], "greenbert-eval");
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["model"]["precision"], "int8");
  write_file_atomically(dir / "eval.json", j.dump(2));
  const EvalFigures figures = read_eval_figures(dir / "eval.json");
  EXPECT_EQ(figures.micro_f1, record.metrics.micro_f1);
  EXPECT_EQ(figures.macro_f1, record.metrics.macro_f1);
  EXPECT_FLOAT_EQ(static_cast<float>(*figures.threshold), 0.35f);

  // Version 1 files (before eval listed every paper) are still read, without papers.
  ordered_json v1 = j;
  v1["version"] = 1;
  v1.erase("papers");
  write_file_atomically(dir / "v1.json", v1.dump());
  const EvalFigures v1_figures = read_eval_figures(dir / "v1.json");
  EXPECT_EQ(v1_figures.micro_f1, record.metrics.micro_f1);
  EXPECT_FALSE(v1_figures.papers.has_value());

  ordered_json newer = j;
  newer["version"] = 3;
  write_file_atomically(dir / "newer.json", newer.dump());
  EXPECT_NE(error_of([&] {
              read_eval_figures(dir / "newer.json");
            }).find("greenbert-eval version 3 is not supported"),
            std::string::npos);
  ordered_json other = j;
  other["format"] = "greenbert-metrics";
  write_file_atomically(dir / "other.json", other.dump());
  EXPECT_NE(error_of([&] { read_eval_figures(dir / "other.json"); }).find("not a greenbert-eval"),
            std::string::npos);
}

BenchRecord sample_bench() {
  BenchRecord r;
  r.model = "bert-tiny";
  r.precision = Precision::int8;
  r.quantized = true;
  r.batch_sizes = {1, 16};
  r.model_size_mb = 1.6;
  r.parameters = 1000;
  r.threads = 2;
  r.hardware = BenchHardware{"cpu", "avx2", 2, 2};
  r.max_length = 150;
  r.abstracts = 20;
  BenchPoint p;
  p.batch_size = 1;
  p.inference_time = 0.01;
  p.latency_p50_ms = 0.5;
  p.energy_method = "estimated";
  p.activations = "u8-dynamic";
  r.backends.emplace_back("cpp", std::vector<BenchPoint>{p});
  return r;
}

TEST(BenchRecords, WrittenAndReadByOneDefinition) {
  const auto dir = testing::temp_dir("format-bench");
  write_bench_file(dir / "bench.json", {sample_bench()});
  const auto records = read_bench_file(dir / "bench.json");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(to_json(records[0]), to_json(sample_bench()));
  const json j = json::parse(read_file(dir / "bench.json"));
  EXPECT_EQ(j[0]["format"], "greenbert-bench");
  EXPECT_EQ(j[0]["version"], 1);
  EXPECT_EQ(j[0]["precision"], "int8");
  EXPECT_EQ(j[0]["cpp"][0]["latency_ms"]["p50"], 0.5);
}

// The study's own files and baselines dropped into a study carry no format: version 1. Keys this
// greenbert does not know are kept; old spellings of a precision are read.
TEST(BenchRecords, OlderAndForeignRecordsAreRead) {
  const auto dir = testing::temp_dir("format-bench-old");
  write_file_atomically(dir / "old.json", R"([{"model_name": "m", "precision": "float32",
    "pytorch": [{"batch_size": 4, "inference_time": 0.2, "backend": "pytorch", "version": "1.13"}]}])");
  const auto records = read_bench_file(dir / "old.json");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].precision, Precision::fp32);
  const auto& points = *records[0].backend("pytorch");
  EXPECT_EQ(points[0].batch_size, 4);
  EXPECT_EQ(to_json(points[0])["backend"], "pytorch");

  ordered_json newer = to_json(sample_bench());
  newer["version"] = 7;
  write_file_atomically(dir / "newer.json", ordered_json::array({newer}).dump());
  EXPECT_NE(error_of([&] {
              read_bench_file(dir / "newer.json");
            }).find("record 1: record: greenbert-bench version 7 is not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace greenbert
