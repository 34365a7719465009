#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "energy/periodic_sampler.h"

namespace greenbert {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicSampler, TicksRepeatedlyUntilStopped) {
  std::mutex mutex;
  std::condition_variable ticked;
  int ticks = 0;
  PeriodicSampler sampler(1ms, [&] {
    std::lock_guard lock(mutex);
    ++ticks;
    ticked.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    // The deadline only turns a broken sampler into a failure instead of a hang.
    ASSERT_TRUE(ticked.wait_for(lock, 60s, [&] { return ticks >= 5; }));
  }
  sampler.stop();
  std::lock_guard lock(mutex);
  const int at_stop = ticks;
  sampler.stop();  // idempotent, and the thread is gone: no tick can follow
  EXPECT_EQ(ticks, at_stop);
  EXPECT_TRUE(sampler.error().empty());
}

TEST(PeriodicSampler, StopDoesNotWaitForTheInterval) {
  bool ticked = false;
  const auto start = std::chrono::steady_clock::now();
  {
    PeriodicSampler sampler(1h, [&] { ticked = true; });
  }  // the destructor stops it: sleeping out the hour would hang the test
  EXPECT_FALSE(ticked);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

TEST(PeriodicSampler, KeepsTheFirstErrorAndStopsTicking) {
  std::mutex mutex;
  std::condition_variable failed;
  int calls = 0;
  PeriodicSampler sampler(1ms, [&] {
    std::lock_guard lock(mutex);
    ++calls;
    failed.notify_all();
    throw std::runtime_error("counter vanished");
  });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(failed.wait_for(lock, 60s, [&] { return calls >= 1; }));
  }
  sampler.stop();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(sampler.error(), "counter vanished");
}

}  // namespace
}  // namespace greenbert
