#pragma once
// The study's plots, drawn with gnuplot into DIR/plots/ (PNG, SVG and the .gp script each):
//   loss_curves               training (running mean) and validation loss per model
//   f1_vs_training_emissions  test micro-F1 against training emissions, one point per model
//   efficiency_per_kwh        micro-F1 per lifetime kWh, per model x precision
//   efficiency_per_kg         micro-F1 per lifetime kg CO2eq
//   inference_time            time to classify the bench's abstracts, per configuration and batch
//   memory                    peak resident memory per configuration
//   throughput_vs_batch       sequences per second against batch size
//   f1_vs_lifetime_energy     the trade-off: micro-F1 against lifetime kWh, with the Pareto
//                             frontier as a step line
// A plot whose data the study does not have (a stage failed) is skipped and said so in `skipped`;
// so is one that gnuplot cannot draw (not installed, or failing), whose .gp script stays.
#include <filesystem>
#include <string>
#include <vector>

#include "report/document.h"
#include "report/gnuplot.h"
#include "report/study_figures.h"
#include "report/study_results.h"

namespace greenbert {

struct StudyPlots {
  std::vector<Figure> figures;       // paths relative to the study directory
  std::vector<std::string> skipped;  // "loss curves: no training log"
};

StudyPlots draw_study_plots(const StudyResults& results, const StudyFigures& figures,
                            const PlotSettings& settings);

}  // namespace greenbert
