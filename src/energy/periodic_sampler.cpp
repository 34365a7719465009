#include "energy/periodic_sampler.h"

#include <algorithm>
#include <exception>

namespace greenbert {

PeriodicSampler::PeriodicSampler(std::chrono::duration<double> interval, std::function<void()> tick)
    : interval_(interval), tick_(std::move(tick)), thread_([this] { run(); }) {}

PeriodicSampler::~PeriodicSampler() {
  stop();
}

void PeriodicSampler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string PeriodicSampler::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void PeriodicSampler::run() {
  const auto step = std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval_);
  auto next = std::chrono::steady_clock::now() + step;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_until(lock, next, [this] { return stopping_; })) {
    lock.unlock();
    try {
      tick_();
    } catch (const std::exception& e) {
      lock.lock();
      error_ = e.what();
      return;
    }
    lock.lock();
    // Fixed rate; after a stall (a tick slower than the interval), no burst of catch-up ticks.
    next += step;
    if (auto now = std::chrono::steady_clock::now(); next < now) next = now + step;
  }
}

}  // namespace greenbert
