#pragma once
// SIGINT, SIGTERM and SIGHUP as a request to stop, for the commands that must end cleanly:
// training finishes its step and writes a checkpoint, the study records how its stage ended,
// `energy measure` records the energy of the command it ran.
//
// No handler ever runs on a computing thread: oneDNN's jit GEMM kernels move the stack pointer
// into a heap buffer while they run, and the kernel would write a handler's frame below it, over
// the heap (a SIGTERM crashed one training run in three with "corrupted size vs. prev_size"). So
// the signals are blocked in every thread — create StopSignals before any thread starts (threads
// inherit the mask) — and one thread of its own waits for them.
//
// The first signal sets requested(). One sent to this process alone (kill, timeout: si_code
// SI_USER) is also passed on to the child named by forward_to(), which a terminal's Ctrl-C
// reaches by itself (it signals the whole process group). The same request often comes twice at
// once (timeout and kill -- -PGID signal both the process and its group); a signal after a pause
// is a second request, which ends the process as if nothing handled it (unless told otherwise).
//
// Children started by core/child_process.h start with the default mask and handlers.
#include <sys/types.h>

#include <atomic>
#include <thread>

namespace greenbert {

class StopSignals {
 public:
  // `first_message`, when given, is written to stderr when the first signal comes.
  explicit StopSignals(const char* first_message = nullptr, bool second_ends_process = true);
  // Stops the waiting thread and unblocks the signals in the calling thread (threads started
  // meanwhile keep them blocked).
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const { return requested_.load(); }
  const std::atomic<bool>& flag() const { return requested_; }
  int signal() const { return signal_.load(); }  // the first signal received; 0 before
  // Signals sent to this process alone go to `child` from now on (0: to no one). One that came
  // while no child was set goes to `child` at once.
  void forward_to(pid_t child);

 private:
  void wait_for_signals();

  std::atomic<bool> requested_{false};
  std::atomic<int> signal_{0};
  std::atomic<bool> quit_{false};
  std::atomic<pid_t> child_{0};
  std::atomic<int> unforwarded_{0};
  const char* first_message_;
  bool second_ends_process_;
  std::thread waiter_;
};

}  // namespace greenbert
