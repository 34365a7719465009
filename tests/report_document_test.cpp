// The report's building blocks: the gnuplot plotting API and the Markdown/HTML renderers.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/document.h"
#include "report/gnuplot.h"
#include "support.h"

namespace greenbert {
namespace {

bool is_png(const std::filesystem::path& file) {
  return read_file(file).rfind("\x89PNG\r\n\x1a\n", 0) == 0;
}

TEST(Gnuplot, DrawsLinesScatterAndBarsToPngAndSvg) {
  const auto dir = testing::temp_dir("gnuplot-kinds");
  XYChart lines;
  lines.title = "Loss";
  lines.x.label = "step";
  lines.y.label = "loss";
  lines.series = {{"train", {1, 2, 3}, {0.9, 0.5, 0.3}, {}, false}, {"val", {3}, {0.4}, {}, true}};
  XYChart scatter;
  scatter.title = "F1 vs energy";
  scatter.x = {"energy (J)", true, {}};
  scatter.y.label = "micro-F1";
  scatter.series = {{"models", {2, 200}, {0.6, 0.66}, {"it's \"tiny\"", "big_one"}, false}};
  BarChart bars;
  bars.title = "Time";
  bars.x_label = "configuration";
  bars.y.label = "seconds";
  bars.categories = {"a f32", "b int8"};
  bars.series = {{"batch 1", {1.0, 2.0}},
                 {"batch 16", {std::numeric_limits<double>::quiet_NaN(), 0.5}}};
  for (const auto& files :
       {plot_lines(lines, dir / "lines"), plot_scatter(scatter, dir / "scatter"),
        plot_bars(bars, dir / "bars")}) {
    EXPECT_TRUE(is_png(files.png)) << files.png;
    const std::string svg = read_file(files.svg);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(files.script));
  }
  // Text is drawn as given, quotes included; the script can be run again by hand.
  EXPECT_NE(read_file(dir / "scatter.svg").find("big_one"), std::string::npos);
  EXPECT_NE(read_file(dir / "scatter.gp").find("set logscale x"), std::string::npos);
  EXPECT_NE(read_file(dir / "bars.gp").find("NaN"), std::string::npos) << "a missing bar";
}

TEST(Gnuplot, ExplicitTicksAndLogAxesLeaveOutNonPositiveValues) {
  const auto dir = testing::temp_dir("gnuplot-ticks");
  XYChart chart;
  chart.title = "Throughput";
  chart.x = {"batch size", true, {1, 4, 16}};
  chart.y = {"sequences per second", true, {}};
  chart.series = {{"x", {1, 4, 16}, {10, 0, 1000}, {}, true}};
  const auto files = plot_lines(chart, dir / "ticks");
  const std::string script = read_file(files.script);
  EXPECT_NE(script.find("set xtics (1, 4, 16)"), std::string::npos) << script;
  EXPECT_NE(script.find("4 NaN"), std::string::npos) << script;
}

TEST(Gnuplot, RejectsInconsistentChartsAndMissingGnuplot) {
  const auto dir = testing::temp_dir("gnuplot-errors");
  XYChart chart;
  chart.series = {{"bad", {1, 2}, {1}, {}, false}};
  EXPECT_THROW(plot_lines(chart, dir / "bad"), Error);
  EXPECT_THROW(plot_lines(XYChart{}, dir / "empty"), Error);
  BarChart bars;
  bars.categories = {"a", "b"};
  bars.series = {{"s", {1.0}}};
  EXPECT_THROW(plot_bars(bars, dir / "bars"), Error);

  chart.series = {{"ok", {1, 2}, {1, 2}, {}, false}};
  PlotSettings settings;
  settings.gnuplot = "greenbert-test-no-such-gnuplot";
  try {
    plot_lines(chart, dir / "missing", settings);
    FAIL() << "no error without gnuplot";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("install Debian's gnuplot-nox"), std::string::npos)
        << e.what();
  }
}

TEST(Gnuplot, ReportsWhatGnuplotSaidWhenItFails) {
  const auto dir = testing::temp_dir("gnuplot-fails");
  XYChart chart;
  chart.series = {{"ok", {1, 2}, {1, 2}, {}, false}};
  PlotSettings settings;
  settings.gnuplot = "false";  // runs, says nothing, exits 1
  try {
    plot_lines(chart, dir / "fails", settings);
    FAIL() << "no error when gnuplot fails";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gnuplot failed (exit code 1)"), std::string::npos)
        << e.what();
  }
}

TEST(Gnuplot, SpansDecades) {
  EXPECT_TRUE(spans_decades(std::vector<double>{1, 20}));
  EXPECT_FALSE(spans_decades(std::vector<double>{1, 19.9}));
  EXPECT_FALSE(spans_decades(std::vector<double>{0, -5, 3}));
  EXPECT_TRUE(spans_decades(std::vector<double>{0, 0.01, std::nan(""), 1}));
  EXPECT_FALSE(spans_decades(std::vector<double>{}));
}

Document sample() {
  Document doc;
  doc.title = "A <study> & more";
  Table table;
  table.header = {"Model", "F1"};
  table.numeric = {false, true};
  table.rows = {{"bert_tiny|x", "0.61"}};
  doc.blocks = {Heading{2, "Results"}, Paragraph{"x < y and *not bold*"},
                KeyValues{{{"CPU", "Xeon"}}}, table, Code{{"greenbert study --out s"}}};
  return doc;
}

TEST(Document, MarkdownEscapesMarkup) {
  const std::string md = to_markdown(sample());
  EXPECT_NE(md.find("# A \\<study> & more\n"), std::string::npos) << md;
  EXPECT_NE(md.find("x \\< y and \\*not bold\\*"), std::string::npos) << md;
  EXPECT_NE(md.find("| Model | F1 |\n| --- | ---: |\n| bert\\_tiny\\|x | 0.61 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **CPU**: Xeon"), std::string::npos);
  EXPECT_NE(md.find("```sh\ngreenbert study --out s\n```"), std::string::npos);
}

TEST(Document, HtmlEscapesTextAndEmbedsFigures) {
  const auto dir = testing::temp_dir("document-html");
  Document doc = sample();
  std::filesystem::create_directories(dir / "plots");
  write_file_atomically(dir / "plots/p.svg", "<svg>hi</svg>");
  doc.blocks.push_back(Figure{"Plot", "plots/p.png", "plots/p.svg", "caption"});
  const std::string html = to_html(doc, dir);
  EXPECT_NE(html.find("<title>A &lt;study&gt; &amp; more</title>"), std::string::npos);
  EXPECT_NE(html.find("<p>x &lt; y and *not bold*</p>"), std::string::npos);
  EXPECT_NE(html.find("<td>bert_tiny|x</td><td class=\"num\">0.61</td>"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/svg+xml;base64," + base64_encode("<svg>hi</svg>") + "\""),
            std::string::npos);
  std::filesystem::remove(dir / "plots/p.svg");
  EXPECT_THROW(to_html(doc, dir), Error);
  Table ragged;
  ragged.header = {"a", "b"};
  ragged.rows = {{"1"}};
  EXPECT_THROW(to_markdown(Document{"t", {ragged}}), Error);
}

TEST(Document, Base64MatchesRfc4648) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x80", 3)), "/wCA");
}

}  // namespace
}  // namespace greenbert
