// The web page of `greenbert serve` in a real browser: Debian's chromium, headless, driven by
// puppeteer-core (tests/browser/, installed by scripts/test.sh with npm ci; no browser download)
// types a title and an abstract, asks for categories, and the page must show what
// POST /v1/classify answers: the same categories, names, probabilities, thresholds and
// suggestions, and the time and energy taken. Skips visibly without chromium, node or the npm
// packages; fails then under CI=true.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "http_client.h"
#include "serve_support.h"

namespace greenbert {
namespace {

using nlohmann::json;

TEST(ServeBrowser, TypingAnAbstractShowsItsCategories) {
  const auto browser_dir = testing::source_dir() / "tests/browser";
  const std::vector<std::pair<std::filesystem::path, std::string>> needed = {
      {"/usr/bin/chromium", "apt-get install chromium (scripts/install-deps.sh)"},
      {"/usr/bin/node", "apt-get install nodejs (scripts/install-deps.sh)"},
      {browser_dir / "node_modules/puppeteer-core",
       "cd tests/browser && npm ci (scripts/test.sh)"}};
  for (const auto& [path, how] : needed) {
    if (std::filesystem::exists(path)) continue;
    if (testing::running_in_ci()) FAIL() << "CI=true but " << path << " is missing: " << how;
    GTEST_SKIP() << path << " is missing: " << how;
  }
  const auto model = testing::serve_model_dir("serve-browser-model");
  const auto dir = testing::temp_dir("serve-browser");
  testing::ServeProcess server({"--model", model.string(), "--threads", "1"}, dir / "serve.log");
  ASSERT_GT(server.port(), 0);
  const std::string title = "Convex relaxations";
  const std::string abstract = testing::synthetic_abstract("math.OC") + " convexc convexd";

  ProcessOptions options;
  options.stdout_file = dir / "page.json";
  options.stderr_file = dir / "node.log";
  const ProcessExit exit = run_process(
      {"timeout", "180", "node", (browser_dir / "serve_page.mjs").string(),
       cat("http://127.0.0.1:", server.port(), "/"), title, abstract, (dir / "profile").string()},
      options);
  ASSERT_TRUE(exit.ok()) << exit.describe() << "\n" << read_file(dir / "node.log");
  const json page = json::parse(read_file(dir / "page.json"));

  const auto answer = testing::http_request(
      server.port(), "POST", "/v1/classify",
      json{{"inputs", {{{"title", title}, {"abstract", abstract}}}}, {"top_k", 10}}.dump());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json result = json::parse(answer.body)["results"][0];

  EXPECT_EQ(page["failures"], json::array());
  EXPECT_EQ(page["error"], "");
  EXPECT_NE(page["model"].get<std::string>().find("sigmoid per category (multi-label)"),
            std::string::npos)
      << page["model"];
  const json& categories = page["categories"];
  ASSERT_EQ(categories.size(), result["scores"].size());
  for (size_t i = 0; i < categories.size(); ++i) {
    const json& shown = categories[i];
    const json& score = result["scores"][i];
    SCOPED_TRACE(score.dump());
    EXPECT_EQ(shown["label"], score["label"]);
    EXPECT_EQ(shown["name"], score["name"]);
    EXPECT_NEAR(shown["probability"].get<double>(), score["probability"].get<double>(), 1e-6);
    EXPECT_NEAR(shown["threshold"].get<double>(), score["threshold"].get<double>(), 1e-6);
    const bool suggested = std::find(result["labels"].begin(), result["labels"].end(),
                                     score["label"]) != result["labels"].end();
    EXPECT_EQ(shown["suggested"], suggested);
    EXPECT_NEAR(std::stod(shown["bar"].get<std::string>()),
                100 * score["probability"].get<double>(), 0.01);
    const std::string mark = shown["mark"];  // "calc(35.00% - 1px)": centred on the threshold
    ASSERT_EQ(mark.rfind("calc(", 0), 0u) << mark;
    EXPECT_NEAR(std::stod(mark.substr(5)), 100 * score["threshold"].get<double>(), 0.01);
  }
  // Threshold 0 for cs.LG: always suggested; 1 for cs.CL: never.
  EXPECT_EQ(page["summary"].get<std::string>().rfind("Suggested: cs.LG", 0), 0u) << page["summary"];
  EXPECT_EQ(page["summary"].get<std::string>().find("cs.CL"), std::string::npos);
  EXPECT_NE(page["time"].get<std::string>().find("ms in the service"), std::string::npos);
  EXPECT_TRUE(std::regex_search(page["energy"].get<std::string>(),
                                std::regex(R"(Energy: [0-9.]+ (J|mJ|µJ) \((estimated|measured))")))
      << page["energy"];
}

}  // namespace
}  // namespace greenbert
