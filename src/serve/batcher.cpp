#include "serve/batcher.h"

#include <algorithm>
#include <exception>

#include "core/error.h"
#include "serve/inference_energy.h"
#include "serve/serve_metrics.h"

namespace greenbert {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Appends every sequence of `inputs` to `batch`, keeping token types and positions.
void append_inputs(const EncodedExamples& inputs, TokenBatch& batch) {
  for (int64_t i = 0; i < inputs.size(); ++i) {
    batch.add_sequence(inputs.example_ids(i), inputs.example_types(i));
    const auto positions = inputs.example_positions(i);
    if (!positions.empty())
      std::copy(positions.begin(), positions.end(),
                batch.position_ids.end() - static_cast<ptrdiff_t>(positions.size()));
  }
}

}  // namespace

Batcher::Batcher(RunBatch run, int64_t labels, BatchLimits limits, ServeMetrics& metrics,
                 InferenceEnergy* energy)
    : run_(std::move(run)),
      labels_(labels),
      limits_(limits),
      metrics_(metrics),
      energy_(energy),
      thread_([this] { loop(); }) {}

Batcher::~Batcher() {
  stop();
}

bool Batcher::fits(const EncodedExamples& inputs) const {
  return inputs.size() >= 1 && inputs.size() <= limits_.max_sequences &&
         inputs.tokens() <= limits_.max_tokens;
}

std::shared_ptr<BatchJob> Batcher::submit(EncodedExamples inputs) {
  if (!fits(inputs))
    fail("batcher: a request of ", inputs.size(), " sequences and ", inputs.tokens(),
         " tokens does not fit a batch");
  auto job = std::make_shared<BatchJob>();
  job->inputs = std::move(inputs);
  job->submitted = Clock::now();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(job);
  }
  queued_.notify_one();
  return job;
}

bool Batcher::wait(BatchJob& job, Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (done_.wait_until(lock, deadline, [&] { return job.done; })) return true;
  job.abandoned = true;
  return false;
}

int64_t Batcher::queue_size() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(queue_.size());
}

void Batcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Batcher::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    auto jobs = next_batch(lock);
    if (jobs.empty()) return;  // stopping, nothing left
    lock.unlock();
    run_batch(jobs);
    lock.lock();
  }
}

// Under the lock: the next batch in arrival order, once it is full, its oldest request has
// waited max_wait, or the batcher is stopping. Empty only when stopping with nothing queued.
std::vector<std::shared_ptr<BatchJob>> Batcher::next_batch(std::unique_lock<std::mutex>& lock) {
  for (;;) {
    std::erase_if(queue_, [](const auto& job) { return job->abandoned; });
    if (queue_.empty()) {
      if (stopping_) return {};
      queued_.wait(lock);
      continue;
    }
    // How many requests fit, and whether the batch is full (the next one would not fit).
    size_t take = 0;
    int64_t sequences = 0, tokens = 0;
    bool full = false;
    for (; take < queue_.size(); ++take) {
      const EncodedExamples& inputs = queue_[take]->inputs;
      if (sequences + inputs.size() > limits_.max_sequences ||
          tokens + inputs.tokens() > limits_.max_tokens) {
        full = true;
        break;
      }
      sequences += inputs.size();
      tokens += inputs.tokens();
    }
    full = full || sequences == limits_.max_sequences || tokens == limits_.max_tokens;
    const auto deadline = queue_.front()->submitted + limits_.max_wait;
    if (!full && !stopping_ && Clock::now() < deadline) {
      queued_.wait_until(lock, deadline);
      continue;
    }
    std::vector<std::shared_ptr<BatchJob>> jobs(queue_.begin(),
                                                queue_.begin() + static_cast<ptrdiff_t>(take));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(take));
    return jobs;
  }
}

bool Batcher::try_batch(const std::vector<std::shared_ptr<BatchJob>>& jobs, std::string& error) {
  batch_.clear();
  for (const auto& job : jobs) append_inputs(job->inputs, batch_);
  logits_.resize(static_cast<size_t>(batch_.sequences() * labels_));
  try {
    run_(batch_, logits_);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  size_t row = 0;
  for (const auto& job : jobs) {
    const auto values = static_cast<size_t>(job->inputs.size() * labels_);
    job->logits.assign(logits_.begin() + static_cast<ptrdiff_t>(row),
                       logits_.begin() + static_cast<ptrdiff_t>(row + values));
    row += values;
  }
  return true;
}

void Batcher::run_batch(const std::vector<std::shared_ptr<BatchJob>>& jobs) {
  const auto start = Clock::now();
  int64_t sequences = 0, tokens = 0;
  for (const auto& job : jobs) {
    sequences += job->inputs.size();
    tokens += job->inputs.tokens();
  }
  std::string error;
  if (!try_batch(jobs, error)) {
    // Whatever broke the batch breaks it alone: every other request still gets its answer.
    if (jobs.size() == 1) jobs[0]->error = error;
    if (jobs.size() > 1)
      for (const auto& job : jobs) try_batch({job}, job->error);
  }
  const double seconds = seconds_between(start, Clock::now());
  metrics_.observe_batch(sequences, tokens, seconds);
  const std::optional<double> joules = energy_ ? energy_->charge(seconds) : std::nullopt;
  {
    std::lock_guard lock(mutex_);
    for (const auto& job : jobs) {
      job->queue_seconds = seconds_between(job->submitted, start);
      job->inference_seconds = seconds;
      job->batch_sequences = sequences;
      job->batch_tokens = tokens;
      if (joules)
        job->joules =
            *joules * static_cast<double>(job->inputs.tokens()) / static_cast<double>(tokens);
      job->done = true;
    }
  }
  done_.notify_all();
}

}  // namespace greenbert
