#pragma once

/// @file
/// @brief `mixdist compare`: finished runs grouped by method and averaged over seeds, as Markdown and CSV.
///
/// Side-by-side comparison of finished runs (`runs/NAME/summary.json`) of any experiments: runs are grouped
/// by experiment, variant (e.g. the latent) and preset, and each group's metrics are averaged over its seeds,
/// with the spread the experiment asks for (ExperimentInfo::spread). One Markdown table per experiment, and a
/// CSV in long form (one line per group and metric) that holds every experiment at once.

#include <map>
#include <string>
#include <vector>

#include "mixdist/experiments/run/experiment.h"

namespace mixdist::experiments::run {

/// What `mixdist compare` reads of one finished run.
struct RunSummary {
  /// The run folder, as given.
  std::string run_dir, experiment, variant, preset;
  /// @var experiment
  /// summary.json's "experiment", e.g. "vae_mnist".
  /// @var variant
  /// The value of the experiment's variant_key (e.g. "gaussian"), followed by " (<key> <value>)" for each
  /// ExperimentInfo::distinguishing_settings entry whose value is not the default, e.g.
  /// "gaussian-sparsemax (compat authors)".
  /// @var preset
  /// summary.json's "preset" ("?" if absent).

  /// summary.json's "seed" (0 if absent).
  int64_t seed = 0, epochs = 0;
  /// @var epochs
  /// summary.json's "epochs", the completed epochs (0 if absent).

  /// The split's values of the experiment's comparison columns (ExperimentInfo::comparison), in that order.
  std::vector<double> values;
  /// The run's config.json settings but the seed, the data folder, "experiment", "preset", the variant and
  /// the distinguishing settings (which the variant's name holds), as key -> value (a string setting's text,
  /// otherwise its JSON text); empty if the folder has no config.json. Runs that differ in any of them are
  /// not averaged together.
  std::map<std::string, std::string> settings;
};

/// One line of a comparison: a group of runs of one method, averaged over its seeds.
struct ComparisonRow {
  /// The experiment's name, e.g. "vae_mnist".
  std::string experiment, variant, preset;
  /// @var variant
  /// The variant as in RunSummary::variant, followed by " (<settings>)" when runs of the same variant and
  /// preset differ in other settings, e.g. "gaussian (epochs 20, train_size 1000)".
  /// @var preset
  /// The preset, e.g. "paper".

  /// How many runs (seeds) the row averages.
  int64_t runs = 0;
  /// The mean of each comparison column over the runs, in the experiment's comparison column order.
  std::vector<double> mean, spread;
  /// @var spread
  /// The spread of each comparison column (ExperimentInfo::spread), in the same order.
};

/// Reads what compare needs of one finished run.
///
/// @param experiments the experiments this mixdist knows (all_experiments()).
/// @param run_dir the run folder.
/// @param split "valid" or "test": which of summary.json's evaluations to read.
/// @return the run's summary.
/// @throws c10::Error naming the file for a folder that is not a finished run of one of `experiments`: no or
///   unreadable `run_dir/summary.json`, text that is not a JSON object, an unknown experiment, no `split`
///   evaluation or a missing comparison metric; and for a `split` other than "valid" or "test".
RunSummary read_run_summary(const std::vector<ExperimentInfo>& experiments, const std::string& run_dir,
                            const std::string& split);
/// Groups runs by (experiment, variant, preset) and averages each group over its seeds.
///
/// Rows are in the order of `experiments` and of their variants; a run folder given twice (even under
/// another spelling of its path) counts once. Runs of one group that differ in any other setting (epochs,
/// train_size, a learning rate...) are split into one row per combination, each labelled with the settings
/// that differ, e.g. "gaussian (epochs 20, train_size 1000)": seeds are averaged, nothing else.
/// @param experiments the experiments this mixdist knows.
/// @param runs the runs, from read_run_summary.
/// @return one row per group.
/// @throws c10::Error if a run's experiment is not in `experiments`.
///
/// @code
/// using namespace mixdist::experiments;
/// std::vector<run::RunSummary> runs = {run::read_run_summary(all_experiments(), "runs/gsp-1", "test")};
/// std::cout << run::comparison_markdown(all_experiments(), run::compare_runs(all_experiments(), runs),
///                                       "test");
/// @endcode
std::vector<ComparisonRow> compare_runs(const std::vector<ExperimentInfo>& experiments,
                                        const std::vector<RunSummary>& runs);
/// The comparison as Markdown: for each experiment with rows, a heading line (title, split, spread, unit)
/// and a table of variant, preset, runs and "mean ± spread" of each comparison column, with the column's
/// decimals.
/// @param experiments the experiments this mixdist knows, in the order the tables appear.
/// @param rows the rows of compare_runs.
/// @param split the split the rows describe, for the headings.
std::string comparison_markdown(const std::vector<ExperimentInfo>& experiments,
                                const std::vector<ComparisonRow>& rows, const std::string& split);
/// The comparison as CSV in long form: a header line, then one line per row and comparison column:
/// experiment, variant, preset, runs, metric, mean, spread, spread_kind ("std" or "sem"). Fields that hold a
/// comma, quote or line break (a variant split by two settings: "sgd (epochs 4, mode other)") are quoted as
/// RFC 4180 says.
/// @param experiments the experiments this mixdist knows.
/// @param rows the rows of compare_runs.
/// @throws c10::Error if a row's experiment is not in `experiments`.
std::string comparison_csv(const std::vector<ExperimentInfo>& experiments,
                           const std::vector<ComparisonRow>& rows);

/// The experiment called `name` (ExperimentInfo::name).
/// @throws c10::Error listing the known ones if there is none.
const ExperimentInfo& find_experiment(const std::vector<ExperimentInfo>& experiments,
                                      const std::string& name);

}  // namespace mixdist::experiments::run
