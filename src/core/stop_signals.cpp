#include "core/stop_signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace greenbert {
namespace {

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
  return set;
}

constexpr timespec kPoll{0, 100'000'000};  // how often the waiting thread checks it should quit
constexpr auto kSameRequest = std::chrono::milliseconds(500);

}  // namespace

StopSignals::StopSignals(const char* first_message, bool second_ends_process)
    : first_message_(first_message), second_ends_process_(second_ends_process) {
  const sigset_t set = stop_signal_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this] { wait_for_signals(); });
}

StopSignals::~StopSignals() {
  quit_.store(true);
  waiter_.join();
  const sigset_t set = stop_signal_set();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void StopSignals::forward_to(pid_t child) {
  child_.store(child);
  const int pending = unforwarded_.exchange(0);
  if (child > 0 && pending != 0) ::kill(child, pending);
}

void StopSignals::wait_for_signals() {
  const sigset_t set = stop_signal_set();
  std::chrono::steady_clock::time_point first;
  while (!quit_.load()) {
    siginfo_t info{};
    const int s = sigtimedwait(&set, &info, &kPoll);
    if (s <= 0) continue;
    if (info.si_code == SI_USER) {
      const pid_t child = child_.load();
      if (child > 0)
        ::kill(child, s);
      else
        unforwarded_.store(s);
    }
    const auto now = std::chrono::steady_clock::now();
    if (!requested_.load()) {
      signal_.store(s);
      requested_.store(true);
      first = now;
      if (first_message_ != nullptr) {
        [[maybe_unused]] auto written =
            ::write(STDERR_FILENO, first_message_, std::strlen(first_message_));
      }
      continue;
    }
    if (now - first < kSameRequest || !second_ends_process_) continue;
    // A second request: die of it, as without a handler.
    ::signal(s, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, s);
    pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
    ::raise(s);
  }
}

}  // namespace greenbert
