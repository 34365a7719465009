#pragma once
// A small plotting API over gnuplot (Debian's gnuplot-nox: terminals pngcairo and svg). Each
// plot writes STEM.gp (its data inline, then the commands; `gnuplot STEM.gp` in its directory
// draws it again, for anyone who wants to restyle it) and runs gnuplot on it, which draws
// STEM.png and STEM.svg. Text is drawn as given (no enhanced-text markup), so names such as
// "bert_tiny" print as they are.
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace greenbert {

struct Axis {
  std::string label;          // with its unit: "energy per 1,000 predictions (J)"
  bool log = false;           // log scale; values <= 0 are then left out
  std::vector<double> ticks;  // tick marks at exactly these values; empty: gnuplot's choice
};

struct Series {
  std::string name;  // legend entry
  std::vector<double> x, y;
  std::vector<std::string> labels;  // scatter plots: one per point, written beside it
  bool markers = false;             // line plots: mark each point too
  // Either kind of plot: a step line through the points in their order (level to the next
  // point's x, then up or down to its y), drawn as a dashed black line: a Pareto frontier.
  bool steps = false;
};

struct XYChart {
  std::string title;
  Axis x, y;
  std::vector<Series> series;
};

struct BarSeries {
  std::string name;            // legend entry
  std::vector<double> values;  // one per category; NaN: no bar there
};

struct BarChart {
  std::string title;
  std::string x_label;
  Axis y;
  std::vector<std::string> categories;  // the groups along the x axis
  std::vector<BarSeries> series;        // one bar per series in each group
};

struct PlotSettings {
  std::string gnuplot = "gnuplot";  // the program, searched in PATH
  int width = 960;                  // pixels (PNG), points (SVG)
  int height = 560;
};

struct PlotFiles {
  std::filesystem::path script, png, svg;
};

// Thrown when the gnuplot program cannot be started at all (not installed, not executable): then
// no plot can be drawn, where an Error from one plot says only that one failed.
struct GnuplotMissing : Error {
  using Error::Error;
};

// Each writes STEM.gp, STEM.png and STEM.svg (STEM's directory must exist) and throws
// GnuplotMissing, or greenbert::Error when gnuplot fails, with what gnuplot said. STEM.gp stays
// either way, so the plot can be drawn later.
PlotFiles plot_lines(const XYChart& chart, const std::filesystem::path& stem,
                     const PlotSettings& settings = {});
PlotFiles plot_scatter(const XYChart& chart, const std::filesystem::path& stem,
                       const PlotSettings& settings = {});
PlotFiles plot_bars(const BarChart& chart, const std::filesystem::path& stem,
                    const PlotSettings& settings = {});

// Whether the positive values span enough orders of magnitude (largest / smallest >= 20) that
// a log axis shows them better than a linear one.
bool spans_decades(std::span<const double> values);

}  // namespace greenbert
