#pragma once
// Packs classify requests from many connections into shared inference batches. One thread owns
// the model's session; connection threads tokenize their own inputs (ServeModel::encode) and
// hand over token ids:
//
//   Batcher batcher(run, labels, limits, metrics, energy);
//   auto job = batcher.submit(std::move(encoded));        // connection thread
//   if (!batcher.wait(*job, deadline)) -> 504              // job->logits, job->error once done
//
// A batch takes requests in arrival order while they fit (--max-batch-requests sequences,
// --max-batch-tokens tokens; a request's inputs stay together). With --max-wait-ms the batcher
// holds a batch that is not full until its oldest request has waited that long. A batch that
// fails is run again request by request, so a request that breaks the model fails alone.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "data/batching.h"
#include "model/batch.h"

namespace greenbert {

class InferenceEnergy;
class ServeMetrics;

// logits (B, labels) of a packed batch; may throw.
using RunBatch = std::function<void(const TokenBatch& batch, std::span<float> logits)>;

struct BatchLimits {
  int64_t max_sequences = 32;
  int64_t max_tokens = 16384;
  std::chrono::microseconds max_wait{0};
};

// One request on its way through the batcher; the batcher writes the results, then sets done.
struct BatchJob {
  EncodedExamples inputs;
  std::chrono::steady_clock::time_point submitted;
  std::vector<float> logits;  // (inputs, labels)
  std::string error;          // set when this request's inference failed
  double queue_seconds = 0;
  double inference_seconds = 0;
  int64_t batch_sequences = 0;  // of the batch it ran in
  int64_t batch_tokens = 0;
  std::optional<double> joules;  // its share of the batch's energy, when measured
  bool done = false;             // guarded by the batcher's mutex
  bool abandoned = false;        // its client stopped waiting (timeout): skip it
};

class Batcher {
 public:
  // `energy` may be null (nothing charged).
  Batcher(RunBatch run, int64_t labels, BatchLimits limits, ServeMetrics& metrics,
          InferenceEnergy* energy);
  ~Batcher();  // stop()
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Queues a request. Its inputs must fit one batch (fits() is true).
  std::shared_ptr<BatchJob> submit(EncodedExamples inputs);
  bool fits(const EncodedExamples& inputs) const;
  // Waits until `job` is done (true) or `deadline` passes (false: the job is abandoned and will
  // not run if it has not started).
  bool wait(BatchJob& job, std::chrono::steady_clock::time_point deadline);
  // Requests waiting for a batch.
  int64_t queue_size() const;
  // Runs what is queued at once (no more waiting to fill batches), then ends the thread.
  void stop();

 private:
  void loop();
  std::vector<std::shared_ptr<BatchJob>> next_batch(std::unique_lock<std::mutex>& lock);
  void run_batch(const std::vector<std::shared_ptr<BatchJob>>& jobs);
  // Runs `jobs` as one batch; false when the model threw (message in `error`).
  bool try_batch(const std::vector<std::shared_ptr<BatchJob>>& jobs, std::string& error);

  const RunBatch run_;
  const int64_t labels_;
  const BatchLimits limits_;
  ServeMetrics& metrics_;
  InferenceEnergy* const energy_;
  TokenBatch batch_;           // reused
  std::vector<float> logits_;  // reused
  mutable std::mutex mutex_;
  std::condition_variable queued_;  // the batcher waits for work
  std::condition_variable done_;    // connection threads wait for their job
  std::deque<std::shared_ptr<BatchJob>> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything exists
};

}  // namespace greenbert
