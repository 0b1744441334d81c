#pragma once

// Training and evaluation of one run of any experiment, in its run folder (run_folder.h).
//
// run::train owns the order of things: config.json is written only once the config is valid and the data
// is there; each epoch's checkpoint (which carries the metric rows too) is written before metrics.csv, so a
// crash between the two writes loses nothing; Ctrl-C / SIGTERM (train::StopSignal) stop at the next step or
// evaluation batch, dropping the epoch or final evaluation in progress, and --resume continues from the last
// completed epoch with the numbers an uninterrupted run gives.
//
// A resumed run may change its planned number of epochs (RunOptions::explicit_settings), to extend a
// finished run or to end an unfinished one early, but no other setting. The schedule follows the new count:
// the new last epoch is validated and the final evaluation is of the new last epoch, so summary.json is
// replaced. The rows of the epochs already completed are kept as they were: when a finished run is
// extended, its old last epoch keeps the validation it got as the last one, which a run planned for the
// larger count from the start has only if it validates that epoch anyway (so the best validation value and
// ckpt.best may differ by that row); everything else (the training columns, the later rows, summary.json's
// metrics) is bit for bit what that run gives. A run ended early equals one planned that short, bit for bit.

#include <c10/util/Optional.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "mixdist/experiments/run/experiment.h"

namespace mixdist::experiments::run {

struct RunOptions {
  std::string run_dir;
  bool resume = false;
  // With resume: the settings the caller chose explicitly (e.g. on the command line), as config.json key ->
  // the name messages use for it (e.g. {"final_is_samples", "--is-samples"}). "epochs" sets the planned
  // number of epochs (at least the completed ones; written back to config.json); every other listed setting
  // must equal the run's, otherwise train throws one error naming each conflicting setting with both values.
  // Unlisted settings come from config.json. Ignored for a new run.
  std::map<std::string, std::string> explicit_settings;
  // Progress bar on a terminal, one line per epoch otherwise; nullopt: decide by isatty(stderr).
  c10::optional<bool> interactive = c10::nullopt;
  std::ostream* log = &std::cout;
  // Stop (as if interrupted) once this many epochs are complete; -1: never. Lets tests and users train a
  // run in slices.
  int64_t stop_after_epoch = -1;
  // Final validation + test evaluation and the figures once all epochs are done.
  bool final_evaluation = true;
  bool figures = true;
};

struct RunResult {
  int64_t epochs_completed = 0;
  int64_t steps = 0;
  bool finished = false;  // all epochs done (false: stopped early; resume to continue)
  // A stop request (Ctrl-C, SIGTERM, train::StopSignal::request) ended it, during the epochs or during the
  // final evaluation (then finished is true, but summary.json is not written; --resume evaluates again).
  bool stopped = false;
  std::string summary_path;
};

// Trains (or resumes) the run in options.run_dir with the config `config_json` of experiment `info`. A new
// run refuses a folder that already holds a run; a resumed run takes its settings from the folder's
// config.json (except those in options.explicit_settings, see there), which must be of the same experiment
// and variant. Resuming a run that has completed its planned epochs and whose summary.json describes its
// last epoch does nothing (the log says so) and reports it finished.
RunResult train(const ExperimentInfo& info, const std::string& config_json, const RunOptions& options);

struct RunEvaluation {
  Evaluation evaluation;
  std::string split, checkpoint, output_path;
  std::vector<std::string> evaluation_logs;  // what Experiment::write_evaluation_log wrote
};

// Evaluates the run's checkpoint ("last" or "best") on "valid" or "test" (samples <= 0: the config's final
// number of importance samples) and writes eval_<split>_<checkpoint>[_<samples>].json in the run folder,
// and the experiment's evaluation log, if it keeps one (tag "<split>_<checkpoint>"). A stop request ends it
// with train::Stopped, before anything is written.
RunEvaluation evaluate_run(const ExperimentInfo& info, const std::string& run_dir, const std::string& split,
                           const std::string& checkpoint, int64_t samples, std::ostream* log = &std::cout);

// The planned epochs of a run of `steps` optimiser steps at `steps_per_epoch` steps per epoch (what
// `mixdist train --steps` sets). A c10::Error naming --steps and its value if `steps` is not a positive
// multiple of steps_per_epoch, or if `epochs` (an --epochs given as well) plans another number of steps.
int64_t epochs_for_steps(int64_t steps, int64_t steps_per_epoch,
                         c10::optional<int64_t> epochs = c10::nullopt);

// `mixdist train --steps N` on the requested config (JSON text; returned with its "epochs" set): the epochs
// are epochs_for_steps(N, steps per epoch, the explicit --epochs if options.explicit_settings lists
// "epochs"). The steps per epoch are the config's `steps_per_epoch_key`, but with options.resume the run's
// own (its config.json's) unless the caller set that key explicitly, as a resumed run keeps its settings.
// "epochs" then becomes an explicit setting named after --steps, so that run::train treats N as it treats
// --epochs.
std::string plan_steps(const std::string& config_json, const std::string& steps_per_epoch_key, int64_t steps,
                       RunOptions& options);

// The columns of metrics.csv: "epoch", "step", "seconds", the training columns, "valid_" + eval columns.
std::vector<std::string> metrics_columns(const Experiment& experiment);

}  // namespace mixdist::experiments::run
