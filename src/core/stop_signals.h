#pragma once
// Ctrl-C (SIGINT) and SIGTERM as a request to stop cleanly (train writes a checkpoint, serve
// drains). No computing thread may run a signal handler: oneDNN's jit GEMM kernels move the stack
// pointer into a heap buffer while they run, and the kernel would write the handler's frame below
// it, over the heap (a SIGTERM then crashed one training run in three with "corrupted size vs.
// prev_size"). So the signals are blocked in every thread (threads inherit the mask: call this
// before any thread is started) and one thread waits for them; a second signal ends the process
// as if nothing were handled.
#include <atomic>
#include <string>

namespace greenbert {

// On the first SIGINT or SIGTERM, stores the signal in `which` (when given), sets `stop` and
// writes `message` to stderr. `stop` and `which` must live as long as the process.
void handle_stop_signals(std::atomic<bool>& stop, std::atomic<int>* which, std::string message);

}  // namespace greenbert
