#pragma once
// Shared by the service's tests: a small model directory with arXiv labels and tuned per-label
// thresholds, a service started in-process on a free port, and JSON bodies.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/child_process.h"
#include "model/model_directory.h"
#include "serve/service.h"
#include "support.h"
#include "train_support.h"

namespace greenbert::testing {

// The synthetic task's tiny BERT (labels cs.LG cs.CL cs.CV math.OC quant-ph, by frequency;
// untrained) with per-label thresholds 0 (cs.LG: always suggested), 1 (cs.CL: never), 0.5, 0.5,
// 0.5. `problem_type`, when
// given, replaces config.json's.
inline std::filesystem::path serve_model_dir(const std::string& name,
                                             const std::string& problem_type = "") {
  const auto dir = temp_dir(name);
  ClassifierModel model = synthetic_model(synthetic_dataset(70, 1), 7);
  model.thresholds.global = 0.5f;
  model.thresholds.per_label = {0.0f, 1.0f, 0.5f, 0.5f, 0.5f};
  model.thresholds.use_per_label = true;
  save_model(dir, model);
  if (!problem_type.empty()) {
    auto config = nlohmann::json::parse(read_file(dir / "config.json"));
    config["problem_type"] = problem_type;
    write_file_atomically(dir / "config.json", config.dump(2));
  }
  return dir;
}

inline ServeOptions serve_options(const std::filesystem::path& model) {
  ServeOptions options;
  options.model = model;
  options.port = 0;
  options.model_options.threads = 1;
  options.calibration_seconds = 0.05;
  options.energy.sample_interval_seconds = 0.2;
  return options;
}

inline std::unique_ptr<Service> loaded_service(const ServeOptions& options) {
  auto service = std::make_unique<Service>(options);
  service->load();
  return service;
}

inline std::string words(const std::vector<std::string>& list) {
  std::string text;
  for (const auto& w : list) text += (text.empty() ? "" : " ") + w;
  return text;
}

// An abstract of the synthetic task's words for label `label`.
inline std::string synthetic_abstract(const std::string& label) {
  return words(topic_words(label)) + " we propose a novel method";
}

// `greenbert serve` (the real binary) as a child process on a free port, killed if the test
// leaves it running.
class ServeProcess {
 public:
  // Starts it with `args` after --port 0 and waits (bounded) until it says it is ready; its
  // stderr goes to `log`.
  ServeProcess(const std::vector<std::string>& args, const std::filesystem::path& log) : log_(log) {
    std::vector<std::string> argv = {cli_path().string(), "serve", "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.stdout_file = log;
    options.stderr_file = log;
    pid_ = start_process(argv, options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      const std::string text = read_file(log);
      const size_t at = text.find("listening on http://127.0.0.1:");
      if (at != std::string::npos && text.find("ready:") != std::string::npos) {
        port_ = std::stoi(text.substr(at + std::string("listening on http://127.0.0.1:").size()));
        return;
      }
      if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = 0;
        ADD_FAILURE() << "greenbert serve exited before it was ready:\n" << text;
        return;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "greenbert serve was not ready within 120 s:\n" << text;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~ServeProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  void signal(int number) const { ::kill(pid_, number); }
  std::string log() const { return read_file(log_); }
  // The exit code once it has exited, waiting at most `limit`; -1 when it is still running, or
  // was killed by a signal.
  int exit_code(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pid_ == 0 && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = 0;
  int port_ = 0;
  int status_ = 0;
};

}  // namespace greenbert::testing
