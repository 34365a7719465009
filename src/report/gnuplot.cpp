#include "report/gnuplot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

#include "core/atomic_file.h"
#include "core/child_process.h"
#include "core/error.h"
#include "core/number_format.h"

namespace greenbert {
namespace {

// A gnuplot string literal: single quotes, where only '' needs escaping.
std::string gp_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out + "'";
}

// A string column of an inline data block: double quotes, which it cannot escape.
std::string data_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) out += (c == '"' || c == '\n' || c == '\r') ? '\'' : c;
  return out + "\"";
}

std::string number(double value, bool log_axis) {
  if (!std::isfinite(value) || (log_axis && value <= 0)) return "NaN";
  return general(value, 10);
}

std::string preamble(const std::string& title, const PlotSettings& settings,
                     const std::string& png) {
  return cat("set encoding utf8\n", "set terminal pngcairo size ", settings.width, ",",
             settings.height, " noenhanced font 'Sans,10'\n", "set output ", gp_string(png), "\n",
             "set title ", gp_string(title), " font ',12'\n", "set key outside right top\n",
             "set grid\n", "set border 3\nset tics nomirror\n");
}

std::string axis_commands(const char* name, const Axis& axis) {
  std::string out = cat("set ", name, "label ", gp_string(axis.label), "\n");
  if (axis.log) out += cat("set logscale ", name, "\nset format ", name, " '%g'\n");
  if (!axis.ticks.empty()) {
    out += cat("set ", name, "tics (");
    for (size_t i = 0; i < axis.ticks.size(); ++i)
      out += cat(i == 0 ? "" : ", ", number(axis.ticks[i], false));
    out += ")\n";
  }
  return out;
}

// Writes the script, then draws it to PNG and again to SVG.
PlotFiles draw(const std::filesystem::path& stem, const std::string& body,
               const PlotSettings& settings) {
  PlotFiles files{stem, stem, stem};
  files.script += ".gp";
  files.png += ".png";
  files.svg += ".svg";
  const std::string script =
      cat(body, "set terminal svg size ", settings.width, ",", settings.height,
          " dynamic noenhanced font 'Sans,10' background '#ffffff'\n", "set output ",
          gp_string(files.svg.filename().string()), "\nreplot\nunset output\n");
  write_file_atomically(files.script, script);
  // gnuplot opens its outputs by name and would follow a link planted at one: it draws in a
  // fresh directory of this process, and its files then take their places (rename replaces a
  // link, never follows it).
  const auto work = create_temporary_directory(stem);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{work};
  const auto log = work / "gnuplot.log";
  const auto drawn_png = work / files.png.filename(), drawn_svg = work / files.svg.filename();
  ProcessExit exit;
  try {
    exit = run_process({settings.gnuplot, std::filesystem::absolute(files.script).string()},
                       {work, log, log});
  } catch (const Error& e) {
    throw GnuplotMissing(cat(e.what(), " (plots are drawn with gnuplot: install Debian's ",
                             "gnuplot-nox, see scripts/install-deps.sh)"));
  }
  if (!exit.ok() || !std::filesystem::exists(drawn_png) || !std::filesystem::exists(drawn_svg))
    fail(files.script.string(), ": gnuplot failed (", exit.describe(),
         "): ", std::filesystem::exists(log) ? read_file(log) : "");
  std::filesystem::rename(drawn_png, files.png);
  std::filesystem::rename(drawn_svg, files.svg);
  return files;
}

std::string xy_body(const XYChart& chart, const std::filesystem::path& stem,
                    const PlotSettings& settings, bool scatter) {
  if (chart.series.empty()) fail(stem.string(), ": a chart needs at least one series");
  std::string body;
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    if (series.x.size() != series.y.size() ||
        (!series.labels.empty() && series.labels.size() != series.x.size()))
      fail(stem.string(), ": series '", series.name, "' has ", series.x.size(), " x, ",
           series.y.size(), " y and ", series.labels.size(), " labels");
    body += cat("$s", s, " << EOD\n");
    for (size_t i = 0; i < series.x.size(); ++i) {
      body += cat(number(series.x[i], chart.x.log), " ", number(series.y[i], chart.y.log));
      if (!series.labels.empty()) body += cat(" ", data_string(series.labels[i]));
      body += "\n";
    }
    body += "EOD\n";
  }
  body += preamble(chart.title, settings, stem.filename().string() + ".png");
  body += axis_commands("x", chart.x) + axis_commands("y", chart.y);
  // Room around the points for their labels.
  if (scatter) body += "set offsets graph 0.05, graph 0.15, graph 0.08, graph 0.08\n";
  std::string plot = "plot ";
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    const std::string color = cat(" lt ", s + 1);
    if (s > 0) plot += ", \\\n     ";
    if (series.steps) {
      plot += cat("$s", s, " using 1:2 with steps lw 2 dt 2 lc rgb 'black' title ",
                  gp_string(series.name));
    } else if (scatter) {
      plot += cat("$s", s, " using 1:2 with points pt 7 ps 1.4", color, " title ",
                  gp_string(series.name));
      if (!series.labels.empty())
        plot += cat(", \\\n     $s", s, " using 1:2:3 with labels offset char 0.8,0.6 left",
                    " font ',9' tc", color, " notitle");
    } else {
      plot += cat("$s", s, " using 1:2 with ", series.markers ? "linespoints pt 7 ps 0.9" : "lines",
                  " lw 2", color, " title ", gp_string(series.name));
    }
  }
  return body + plot + "\n";
}

}  // namespace

PlotFiles plot_lines(const XYChart& chart, const std::filesystem::path& stem,
                     const PlotSettings& settings) {
  return draw(stem, xy_body(chart, stem, settings, /*scatter=*/false), settings);
}

PlotFiles plot_scatter(const XYChart& chart, const std::filesystem::path& stem,
                       const PlotSettings& settings) {
  return draw(stem, xy_body(chart, stem, settings, /*scatter=*/true), settings);
}

PlotFiles plot_bars(const BarChart& chart, const std::filesystem::path& stem,
                    const PlotSettings& settings) {
  if (chart.categories.empty() || chart.series.empty())
    fail(stem.string(), ": a bar chart needs categories and series");
  std::string body = "$bars << EOD\n";
  for (size_t c = 0; c < chart.categories.size(); ++c) {
    body += data_string(chart.categories[c]);
    for (const auto& series : chart.series) {
      if (series.values.size() != chart.categories.size())
        fail(stem.string(), ": series '", series.name, "' has ", series.values.size(),
             " values for ", chart.categories.size(), " categories");
      body += cat(" ", number(series.values[c], chart.y.log));
    }
    body += "\n";
  }
  body += "EOD\n";
  body += preamble(chart.title, settings, stem.filename().string() + ".png");
  body += cat("set xlabel ", gp_string(chart.x_label), "\n", axis_commands("y", chart.y));
  body +=
      "set style data histogram\nset style histogram clustered gap 1\n"
      "set style fill solid 0.85 border -1\nset grid noxtics ytics\n";
  // Long group names stay readable when slanted.
  size_t longest = 0;
  for (const auto& c : chart.categories) longest = std::max(longest, c.size());
  if (chart.categories.size() * longest > 60) body += "set xtics rotate by -25 left\n";
  if (!chart.y.log) body += "set yrange [0:*]\n";
  std::string plot = "plot ";
  for (size_t s = 0; s < chart.series.size(); ++s) {
    if (s > 0) plot += ", \\\n     ";
    plot += cat(s == 0 ? "$bars" : "''", " using ", s + 2, s == 0 ? ":xtic(1)" : "", " lt ", s + 1,
                " title ", gp_string(chart.series[s].name));
  }
  return draw(stem, body + plot + "\n", settings);
}

bool spans_decades(std::span<const double> values) {
  double low = std::numeric_limits<double>::infinity(), high = 0;
  for (double v : values) {
    if (!std::isfinite(v) || v <= 0) continue;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  return high > 0 && high / low >= 20;
}

}  // namespace greenbert
