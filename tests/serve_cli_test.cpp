// `greenbert serve` as users run it: the real binary in a child process. SIGTERM drains (new
// requests get 503, the admitted one finishes, exit status 0); bad settings are refused.
#include <gtest/gtest.h>

#include <future>

#include "http_client.h"
#include "serve_support.h"

namespace greenbert {
namespace {

using nlohmann::json;
using testing::http_request;

TEST(ServeCli, SigtermDrainsAdmittedRequestsAndExitsZero) {
  const auto model = testing::serve_model_dir("serve-cli-model");
  const auto dir = testing::temp_dir("serve-cli-drain");
  // A lone request waits up to 5 s for company: it is in flight when SIGTERM comes.
  testing::ServeProcess server(
      {"--model", model.string(), "--threads", "1", "--max-wait-ms", "5000", "--log-requests"},
      dir / "serve.log");
  ASSERT_GT(server.port(), 0);
  const int port = server.port();
  auto admitted = std::async(std::launch::async, [&] {
    return http_request(port, "POST", "/v1/classify", R"({"inputs": "admitted before"})");
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (http_request(port, "GET", "/metrics").body.find("greenbert_requests_in_flight 1\n") ==
         std::string::npos)
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << server.log();

  server.signal(SIGTERM);
  while (http_request(port, "GET", "/health/ready").status != 503)
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << server.log();
  const auto refused = http_request(port, "POST", "/v1/classify", R"({"inputs": "after"})");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(admitted.get().status, 200);
  EXPECT_EQ(server.exit_code(std::chrono::seconds(30)), 0) << server.log();
  const std::string log = server.log();
  EXPECT_NE(log.find("draining"), std::string::npos) << log;
  EXPECT_NE(log.find("POST /v1/classify 200 inputs=1 tokens="), std::string::npos) << log;
  EXPECT_NE(log.find("POST /v1/classify 503"), std::string::npos) << log;
  EXPECT_NE(log.find("drained"), std::string::npos) << log;
}

TEST(ServeCli, RefusesABusyPortAndImpossibleLimits) {
  const auto model = testing::serve_model_dir("serve-cli-refuse");
  const auto dir = testing::temp_dir("serve-cli-refuse-logs");
  testing::ServeProcess first({"--model", model.string(), "--threads", "1"}, dir / "first.log");
  ASSERT_GT(first.port(), 0);
  auto busy = testing::run_cli(
      cat("serve --model ", model.string(), " --port ", first.port(), " --threads 1"));
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find(cat("cannot listen on 127.0.0.1:", first.port())), std::string::npos)
      << busy.err;
  // The synthetic model takes 64 tokens: a batch of 10 could never hold a long text.
  auto small = testing::run_cli(
      cat("serve --model ", model.string(), " --port 0 --threads 1 --max-batch-tokens 10"));
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_NE(small.err.find("--max-batch-tokens 10 is less than the model's 64-token inputs"),
            std::string::npos)
      << small.err;
  auto zero = testing::run_cli(cat("serve --model ", model.string(), " --max-concurrent 0"));
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_NE(zero.err.find("--max-concurrent must be >= 1"), std::string::npos) << zero.err;
  first.signal(SIGTERM);
  EXPECT_EQ(first.exit_code(std::chrono::seconds(30)), 0) << first.log();
}
}  // namespace
}  // namespace greenbert
