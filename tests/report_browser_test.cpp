// The HTML report renders in a real browser: Chromium, headless, takes a screenshot of the
// fixture study's report.html, which must be far richer than a screenshot of an empty page.
// Runs only where /usr/bin/chromium exists (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>

#include <fstream>

#include "core/atomic_file.h"
#include "core/child_process.h"
#include "support.h"

namespace greenbert {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

// Screenshot of `url` at 1200x1600; returns the PNG's bytes.
std::string screenshot(const std::filesystem::path& work, const std::string& name,
                       const std::string& url) {
  const auto png = work / (name + ".png");
  ProcessOptions options;
  options.stdout_file = work / (name + ".log");
  options.stderr_file = options.stdout_file;
  const ProcessExit exit = run_process(
      {"timeout", "120", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--no-first-run", "--user-data-dir=" + (work / (name + "-profile")).string(),
       "--window-size=1200,1600", "--screenshot=" + png.string(), url},
      options);
  EXPECT_TRUE(exit.ok()) << exit.describe() << "\n" << read_file(options.stdout_file);
  return std::filesystem::exists(png) ? read_file(png) : "";
}

TEST(ReportBrowser, ChromiumRendersTheReport) {
  if (!std::filesystem::exists(kChromium))
    GTEST_SKIP() << kChromium << " is not installed (apt-get install chromium enables this test)";
  const auto dir = testing::temp_dir("report-browser");
  std::filesystem::copy(testing::source_dir() / "tests/data/study/two_models", dir / "study",
                        std::filesystem::copy_options::recursive);
  ASSERT_EQ(testing::run_cli("report --study " + (dir / "study").string()).exit_code, 0);
  std::ofstream(dir / "blank.html") << "<!DOCTYPE html><html><body></body></html>\n";

  const std::string report =
      screenshot(dir, "report", "file://" + (dir / "study/report.html").string());
  const std::string blank = screenshot(dir, "blank", "file://" + (dir / "blank.html").string());
  ASSERT_FALSE(report.empty());
  ASSERT_FALSE(blank.empty());
  EXPECT_EQ(report.rfind("\x89PNG\r\n\x1a\n", 0), 0u);
  // A white page compresses to almost nothing; text, tables and plots do not.
  EXPECT_GT(report.size(), 10 * blank.size()) << report.size() << " vs " << blank.size();
}

}  // namespace
}  // namespace greenbert
