#pragma once
// Calls a function every `interval` on its own thread until stopped. The thread waits on a
// condition variable, so it never spins, never blocks the caller's work, and stop() returns as
// soon as a tick in progress finishes, whatever the interval.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace greenbert {

class PeriodicSampler {
 public:
  PeriodicSampler(std::chrono::duration<double> interval, std::function<void()> tick);
  ~PeriodicSampler();
  PeriodicSampler(const PeriodicSampler&) = delete;
  PeriodicSampler& operator=(const PeriodicSampler&) = delete;

  // Stops the thread and waits for it; later calls do nothing.
  void stop();
  // The message of the first exception a tick threw (ticking stops there), or empty.
  std::string error() const;

 private:
  void run();

  const std::chrono::duration<double> interval_;
  const std::function<void()> tick_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string error_;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace greenbert
