// Training checkpoints (train/checkpoint.h) and the run logs (train/run_logs.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "numeric.h"
#include "support.h"
#include "train/checkpoint.h"
#include "train/run_logs.h"
#include "train_support.h"

namespace greenbert {
namespace {

struct Fixture {
  BertConfig config = [] {
    BertConfig c = testing::tiny_config(50);
    c.labels = {"cs.CV", "cs.CL", "math.OC"};
    return c;
  }();
  ParameterBuffer params = make_parameters(config);
  AdamWState adam{params};
  TrainingState state;

  explicit Fixture(uint32_t seed) {
    initialize_parameters(params, config, seed);
    auto m = testing::random_floats(static_cast<size_t>(params.size()), seed + 1);
    auto v = testing::random_floats(static_cast<size_t>(params.size()), seed + 2, 0.f, 1.f);
    for (const ParameterTensor& t : params.layout().tensors()) {
      std::copy_n(m.begin() + t.offset, t.size, adam.m.view(t).begin());
      std::copy_n(v.begin() + t.offset, t.size, adam.v.view(t).begin());
    }
    state.step = 17, state.epoch = 1, state.batch = 5, state.validated_step = 12;
    state.best_micro_f1 = 0.625, state.best_val_loss = 0.0425, state.best_step = 12,
    state.best_epoch = 1.0;
    state.train_seconds = 3.5, state.train_sequences = 544, state.elapsed_seconds = 4.25;
    state.seed = 0xFFFF'FFFF'FFFF'FFF1ull, state.batches_per_epoch = 12, state.total_steps = 36;
    adam.step = state.step;
  }
};

bool same_values(const ParameterBuffer& a, const ParameterBuffer& b) {
  return std::equal(a.data(), a.data() + a.size(), b.data(), b.data() + b.size());
}

TEST(Checkpoint, RoundTripsParametersMomentsAndStateExactly) {
  const auto dir = testing::temp_dir("checkpoint-roundtrip");
  Fixture saved(1);
  save_checkpoint(dir, saved.state, saved.params, saved.adam);
  Fixture loaded(2);
  const auto state = load_checkpoint(dir, loaded.params, loaded.adam);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(*state, saved.state);
  EXPECT_EQ(loaded.adam.step, saved.state.step);
  EXPECT_TRUE(same_values(loaded.params, saved.params));
  EXPECT_TRUE(same_values(loaded.adam.m, saved.adam.m));
  EXPECT_TRUE(same_values(loaded.adam.v, saved.adam.v));
}

TEST(Checkpoint, NoneIsNotAnError) {
  Fixture f(3);
  EXPECT_FALSE(load_checkpoint(testing::temp_dir("checkpoint-none"), f.params, f.adam));
}

// What a write killed half-way leaves: a torn temporary beside the last good checkpoint.
TEST(Checkpoint, TornTemporaryIsIgnored) {
  const auto dir = testing::temp_dir("checkpoint-torn");
  Fixture saved(4);
  save_checkpoint(dir, saved.state, saved.params, saved.adam);
  const std::string full = read_file(checkpoint_file(dir));
  std::ofstream(dir / "checkpoint.safetensors.tmp.99999", std::ios::binary)
      << full.substr(0, full.size() / 2);
  Fixture loaded(5);
  const auto state = load_checkpoint(dir, loaded.params, loaded.adam);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(*state, saved.state);
  EXPECT_TRUE(same_values(loaded.params, saved.params));
}

TEST(Checkpoint, CorruptOrForeignCheckpointsAreRefused) {
  const auto dir = testing::temp_dir("checkpoint-corrupt");
  Fixture saved(6);
  save_checkpoint(dir, saved.state, saved.params, saved.adam);
  const std::string full = read_file(checkpoint_file(dir));
  write_file_atomically(checkpoint_file(dir), full.substr(0, full.size() - 100));
  Fixture loaded(7);
  EXPECT_THROW(load_checkpoint(dir, loaded.params, loaded.adam), Error);

  // A checkpoint of another architecture.
  save_checkpoint(dir, saved.state, saved.params, saved.adam);
  BertConfig wider = saved.config;
  wider.hidden_size = 64;
  ParameterBuffer params = make_parameters(wider);
  AdamWState adam(params);
  try {
    load_checkpoint(dir, params, adam);
    FAIL() << "a checkpoint of another model loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint.safetensors"), std::string::npos) << e.what();
  }
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(RunLogs, HeadersRowsAndResumeTruncation) {
  const auto dir = testing::temp_dir("run-logs");
  RunLogs logs(dir);
  logs.start();
  for (int64_t step = 1; step <= 5; ++step)
    logs.add_step({step, 0.25 * static_cast<double>(step), 0.5, 1e-3, 1.5, 100, 2.0});
  EXPECT_EQ(lines_of(logs.train_log()).size(), 1u);  // buffered until flushed
  logs.flush();
  logs.add_validation({1.0, 4, 0.125, 0.75, 0.5, 3.0});
  logs.add_validation({1.25, 5, 0.125, 0.75, 0.5, 3.0});
  auto train = lines_of(logs.train_log());
  ASSERT_EQ(train.size(), 6u);
  EXPECT_EQ(train[0], "step,epoch,loss,lr,grad_norm,seqs_per_s,elapsed_s");
  EXPECT_EQ(train[2], "2,0.5000,0.5,0.001,1.5,100.00,2.00");
  EXPECT_EQ(lines_of(logs.val_log())[0], "epoch,step,val_loss,val_micro_f1,val_macro_f1,elapsed_s");

  // A torn last line, as a kill during an append might leave.
  append_file_durably(logs.train_log(), "6,1.5,0.4");
  RunLogs resumed(dir);
  resumed.resume(3, 4);
  train = lines_of(logs.train_log());
  ASSERT_EQ(train.size(), 4u);
  EXPECT_EQ(train.back().substr(0, 2), "3,");
  const auto val = lines_of(logs.val_log());
  ASSERT_EQ(val.size(), 2u);
  EXPECT_EQ(val[1].substr(0, 9), "1.0000,4,");
}

}  // namespace
}  // namespace greenbert
