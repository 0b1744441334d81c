#pragma once

// Side-by-side comparison of finished runs (runs/*/summary.json) of any experiments: runs are grouped by
// experiment, variant (e.g. the latent) and preset, and each group's metrics are averaged over its seeds,
// with the spread the experiment asks for (ExperimentInfo::spread). One Markdown table per experiment, and a
// CSV in long form (one line per group and metric) that holds every experiment at once.

#include <map>
#include <string>
#include <vector>

#include "mixdist/experiments/run/experiment.h"

namespace mixdist::experiments::run {

struct RunSummary {
  std::string run_dir, experiment, variant, preset;
  int64_t seed = 0, epochs = 0;
  std::vector<double> values;  // in the experiment's comparison column order
  // The run's config.json settings but the seed and the data folder, as key -> JSON text (empty if the folder
  // has no config.json): runs that differ in any of them are not averaged together.
  std::map<std::string, std::string> settings;
};

struct ComparisonRow {
  std::string experiment, variant, preset;
  int64_t runs = 0;
  std::vector<double> mean, spread;  // in the experiment's comparison column order
};

// Reads run_dir/summary.json (split "valid" or "test"); clear errors for a folder that is not a finished run
// of one of `experiments`.
RunSummary read_run_summary(const std::vector<ExperimentInfo>& experiments, const std::string& run_dir,
                            const std::string& split);
// Groups runs by (experiment, variant, preset), in the order of `experiments` and of their variants; a run
// folder given twice counts once. Runs of one group that differ in any other setting (epochs, train_size, a
// learning rate...) are split into one row per combination, each labelled with the settings that differ,
// e.g. "gaussian (epochs 20, train_size 1000)": seeds are averaged, nothing else.
std::vector<ComparisonRow> compare_runs(const std::vector<ExperimentInfo>& experiments,
                                        const std::vector<RunSummary>& runs);
std::string comparison_markdown(const std::vector<ExperimentInfo>& experiments,
                                const std::vector<ComparisonRow>& rows, const std::string& split);
std::string comparison_csv(const std::vector<ExperimentInfo>& experiments,
                           const std::vector<ComparisonRow>& rows);

// The experiment called `name`; a c10::Error listing the known ones otherwise.
const ExperimentInfo& find_experiment(const std::vector<ExperimentInfo>& experiments,
                                      const std::string& name);

}  // namespace mixdist::experiments::run
