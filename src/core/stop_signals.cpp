#include "core/stop_signals.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

namespace greenbert {
namespace {

void wait_for_stop_signals(sigset_t signals, std::atomic<bool>* stop, std::atomic<int>* which,
                           const std::string& message) {
  int signal = 0;
  if (sigwait(&signals, &signal) != 0) return;
  if (which != nullptr) which->store(signal);
  stop->store(true);
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, message.data(), message.size());
  // The same request often comes twice at once: `timeout` and `kill -- -PGID` signal both the
  // process and its group. Only a signal after a pause is a second request.
  const timespec grace{0, 500'000'000};
  while (sigtimedwait(&signals, nullptr, &grace) > 0) {
  }
  if (sigwait(&signals, &signal) != 0) return;
  ::signal(signal, SIG_DFL);
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  ::raise(signal);
}

}  // namespace

void handle_stop_signals(std::atomic<bool>& stop, std::atomic<int>* which, std::string message) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread(wait_for_stop_signals, signals, &stop, which, std::move(message)).detach();
}

}  // namespace greenbert
