#pragma once

/// @file
/// @brief run::train and run::evaluate_run: training and evaluating one run of any experiment, in its folder.
///
/// Training and evaluation of one run of any experiment, in its run folder (run_folder.h).
///
/// run::train owns the order of things: config.json is written only once the config is valid and the data
/// is there; each epoch's checkpoint (which carries the metric rows too) is written before metrics.csv, so a
/// crash between the two writes loses nothing; Ctrl-C / SIGTERM (train::StopSignal) stop at the next step or
/// evaluation batch, dropping the epoch or final evaluation in progress, and --resume continues from the last
/// completed epoch with the numbers an uninterrupted run gives.
///
/// A resumed run may change its planned number of epochs (RunOptions::explicit_settings), to extend a
/// finished run or to end an unfinished one early, but no other setting. The schedule follows the new count:
/// the new last epoch is validated and the final evaluation is of the new last epoch, so summary.json is
/// replaced. The rows of the epochs already completed are kept as they were: when a finished run is
/// extended, its old last epoch keeps the validation it got as the last one, which a run planned for the
/// larger count from the start has only if it validates that epoch anyway (so the best validation value and
/// ckpt.best may differ by that row); everything else (the training columns, the later rows, summary.json's
/// metrics) is bit for bit what that run gives. A run ended early equals one planned that short, bit for bit.
///
/// Data-parallel runs (RunOptions::group; docs/distributed.md): every rank runs run::train with the same
/// config (checked at the start: one error on every rank if any differs). Rank 0 alone touches the run
/// folder: it checks and locks it, reads config.json and the checkpoint of a resumed run and sends them to
/// the others (so the other machines need no copy of the folder), and writes every file; the other ranks only
/// compute. A new run starts from rank 0's initial parameters. Each epoch starts from rank 0's generator
/// state on every rank, so the data order is a single-process run's; then rank 0 goes on drawing from it and
/// every other rank from a stream seeded by distributed::rank_seed(seed, rank, epoch). Each rank trains on
/// its slice of every global batch (Experiment::join). A stop request on any rank stops all of them at the
/// same step. Resume rule: a run resumes with any number of ranks; with the number it was trained with it
/// repeats the uninterrupted run bit for bit, with another it continues from the same checkpoint, data order
/// and rank 0 stream, but the other ranks' noise differs (a statistically equivalent continuation).

#include <c10/util/Optional.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "mixdist/experiments/run/experiment.h"

namespace mixdist::distributed {
class ProcessGroup;
}  // namespace mixdist::distributed

namespace mixdist::experiments::run {

/// How run::train trains a run.
struct RunOptions {
  /// The run folder (e.g. "runs/gsp-1"); must not be empty. A new run creates it (and its parents).
  std::string run_dir;
  /// Continue the run in run_dir (false: start a new one, refusing a folder that already holds a run).
  bool resume = false;
  /// With resume: the settings the caller chose explicitly (e.g. on the command line), as config.json key ->
  /// the name messages use for it (e.g. {"final_is_samples", "--is-samples"}). "epochs" sets the planned
  /// number of epochs (at least the completed ones; written back to config.json); every other listed setting
  /// must equal the run's, otherwise train throws one error naming each conflicting setting with both values.
  /// A listed key that config.json lacks is an error too. Unlisted settings come from config.json. Ignored
  /// for a new run.
  std::map<std::string, std::string> explicit_settings;
  /// Progress bar on a terminal, one line per epoch otherwise; nullopt: decide by isatty(stderr).
  c10::optional<bool> interactive = c10::nullopt;
  /// Where the log goes; must not be null.
  std::ostream* log = &std::cout;
  /// Stop (as if interrupted) once this many epochs are complete; -1: never. Lets tests and users train a
  /// run in slices.
  int64_t stop_after_epoch = -1;
  /// Run the final validation + test evaluation (and write summary.json) once all epochs are done.
  bool final_evaluation = true;
  /// Write the experiment's figures with the final evaluation (Experiment::write_figures).
  bool figures = true;
  /// The data-parallel job this process is a rank of; nullptr: a single-process run. Not owned. Only rank 0
  /// writes to `log`.
  distributed::ProcessGroup* group = nullptr;
};

/// Where run::train left a run.
struct RunResult {
  /// Epochs completed, over all sessions of the run.
  int64_t epochs_completed = 0;
  /// Optimiser steps taken, over all sessions of the run.
  int64_t steps = 0;
  /// All planned epochs done (false: stopped early; resume to continue).
  bool finished = false;
  /// A stop request (Ctrl-C, SIGTERM, train::StopSignal::request) ended it, during the epochs or during the
  /// final evaluation (then finished is true, but summary.json is not written; --resume evaluates again).
  bool stopped = false;
  /// The path of summary.json once written (or already current); empty otherwise.
  std::string summary_path;
};

/// Trains (or resumes) the run in options.run_dir with the config `config_json` of experiment `info`.
///
/// A new run refuses a folder that already holds a run; a resumed run takes its settings from the folder's
/// config.json (except those in options.explicit_settings, see there), which must be of the same experiment
/// and variant. Resuming a run that has completed its planned epochs and whose summary.json describes its
/// last epoch does nothing (the log says so) and reports it finished.
///
/// Seeds the global CPU generator from the config's "seed" before info.create. Writes config.json (once the
/// config is valid and the data is there), ckpt.last, ckpt.best, metrics.csv after each epoch, and with
/// options.final_evaluation the evaluation logs, the figures and summary.json (last) in the run folder, all
/// atomically, holding the folder's RunFolderLock throughout.
/// @param info the experiment's description.
/// @param config_json the requested config as JSON text (the experiment's config.json format).
/// @param options the run folder, resume and the rest.
/// @return how far the run got.
/// @throws c10::Error for an empty run_dir or a null log, an invalid config (from info.create, naming the
///   setting), missing data, a folder that already holds a run (new run) or does not exist (resume), a
///   folder another process holds, another experiment's or variant's folder, conflicting explicit settings,
///   planned epochs below the completed ones, a damaged checkpoint, completed epochs without ckpt.last, a
///   non-finite training loss, or a failed write (each naming the path or setting).
///
/// @code
/// using namespace mixdist::experiments;
/// run::RunOptions options;
/// options.run_dir = "runs/gsp-1";
/// run::RunResult result = run::train(vae_mnist::info(), config.to_json(), options);
/// @endcode
RunResult train(const ExperimentInfo& info, const std::string& config_json, const RunOptions& options);

/// What run::evaluate_run computed and wrote.
struct RunEvaluation {
  /// The evaluation's metrics.
  Evaluation evaluation;
  /// "valid" or "test".
  std::string split, checkpoint, output_path;
  /// @var checkpoint
  /// "last" or "best".
  /// @var output_path
  /// The eval_*.json file written.

  /// What Experiment::write_evaluation_log wrote.
  std::vector<std::string> evaluation_logs;
};

/// Evaluates a finished or unfinished run's checkpoint and writes the result into its run folder.
///
/// Loads the run's config.json and the model of `ckpt.<checkpoint>`, evaluates `split` (Experiment::evaluate)
/// and writes `eval_<split>_<checkpoint>[_<samples>].json` (the suffix: the importance samples used, absent
/// when the evaluation is not a sampled estimate) in the run folder, and the experiment's evaluation log, if
/// it keeps one (tag `<split>_<checkpoint>`). Holds the folder's RunFolderLock throughout. A stop request
/// ends it with train::Stopped, before anything is written.
/// @param info the experiment's description.
/// @param run_dir the run folder.
/// @param split "valid" or "test".
/// @param checkpoint "last" or "best".
/// @param samples importance samples per data point, >= 1; 0: the config's final number.
/// @param log where to write the result line; nullptr: nowhere.
/// @param group the data-parallel job this process is a rank of (each rank evaluates its slice of the split;
///   rank 0 reads the run folder, sends the config and checkpoint to the others, and writes alone); nullptr:
///   a single-process evaluation.
/// @return the evaluation and the paths written (on every rank; only rank 0 has written them).
/// @throws c10::Error for another split or checkpoint name, a negative `samples`, a folder without
///   config.json or of another experiment, a folder another process holds, a missing or damaged checkpoint,
///   or a config.json that contradicts the checkpoint's.
///
/// @code
/// using namespace mixdist::experiments;
/// run::RunEvaluation e = run::evaluate_run(vae_mnist::info(), "runs/gsp-1", "test", "last", 1000);
/// @endcode
RunEvaluation evaluate_run(const ExperimentInfo& info, const std::string& run_dir, const std::string& split,
                           const std::string& checkpoint, int64_t samples, std::ostream* log = &std::cout,
                           distributed::ProcessGroup* group = nullptr);

/// The planned epochs of a run of `steps` optimiser steps at `steps_per_epoch` steps per epoch (what
/// `mixdist train --steps` sets).
/// @param steps the requested steps (--steps).
/// @param steps_per_epoch the steps of one epoch, >= 1.
/// @param epochs an --epochs given as well, or nullopt.
/// @return steps / steps_per_epoch.
/// @throws c10::Error naming --steps and its value if `steps` is not a positive multiple of steps_per_epoch
///   (suggesting one), if steps_per_epoch < 1, or if `epochs` plans another number of steps.
int64_t epochs_for_steps(int64_t steps, int64_t steps_per_epoch,
                         c10::optional<int64_t> epochs = c10::nullopt);

/// `mixdist train --steps N` on the requested config: the config with its "epochs" set.
///
/// The epochs are epochs_for_steps(N, steps per epoch, the explicit --epochs if options.explicit_settings
/// lists "epochs"). The steps per epoch are the config's `steps_per_epoch_key`, but with options.resume the
/// run's own (its config.json's) unless the caller set that key explicitly, as a resumed run keeps its
/// settings. "epochs" then becomes an explicit setting named after --steps, so that run::train treats N as it
/// treats --epochs.
/// @param config_json the requested config, JSON text.
/// @param steps_per_epoch_key the config key of the steps per epoch (an integer setting), e.g.
///   "steps_per_epoch".
/// @param steps N.
/// @param options the run's options; its explicit_settings gains "epochs".
/// @return the config (JSON text) with "epochs" set.
/// @throws c10::Error for text that is not a JSON object, a missing integer `steps_per_epoch_key` (or
///   "epochs" when listed as explicit), and as epochs_for_steps.
std::string plan_steps(const std::string& config_json, const std::string& steps_per_epoch_key, int64_t steps,
                       RunOptions& options);

/// The columns of metrics.csv: "epoch", "step", "seconds", the training columns, "valid_" + eval columns.
std::vector<std::string> metrics_columns(const Experiment& experiment);

}  // namespace mixdist::experiments::run
