#pragma once

// Training and evaluation of one VAE run, with its run folder (EXPERIMENTS.md §4.5-4.6):
//   runs/NAME/config.json          every setting and the seed (enough to rerun)
//   runs/NAME/metrics.csv          one row per completed epoch (metrics_columns())
//   runs/NAME/ckpt.last, ckpt.best checkpoints (best = lowest validation NLL)
//   runs/NAME/summary.json         final validation and test metrics of ckpt.last, timings
//   runs/NAME/*.png                reconstructions, prior samples, learning curves, face sizes
// Every file is written atomically. Ctrl-C / SIGTERM stop at the next step; the epoch in progress is dropped
// and --resume continues from the last completed epoch, giving the same numbers as an uninterrupted run.
//
// A resumed run may change its planned number of epochs (TrainOptions::explicit_settings), to extend a
// finished run or to end an unfinished one early, but no other setting. The schedule follows the new count:
// the new last epoch is validated and the final evaluation (final_is_samples) is of the new last epoch, so
// summary.json is replaced. The rows of the epochs already completed are kept as they were: when a finished
// run is extended, its old last epoch keeps the validation it got as the last one, which a run planned for
// the larger count from the start has only if validate_every divides that epoch (so best_valid_nll and
// ckpt.best may differ by that row); everything else (the training columns, the later rows, summary.json's
// metrics) is bit for bit what that run gives. A run ended early equals one planned that short, bit for bit.

#include <c10/util/Optional.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "mixdist/experiments/vae_mnist/config.h"
#include "mixdist/experiments/vae_mnist/evaluation.h"

namespace mixdist::experiments::vae {

struct TrainOptions {
  std::string run_dir;
  bool resume = false;
  // With resume: the settings the caller chose explicitly (e.g. on the command line), as config.json key ->
  // the name messages use for it (e.g. {"final_is_samples", "--is-samples"}). "epochs" sets the planned
  // number of epochs (at least the completed ones; written back to config.json); every other listed setting
  // must equal the run's, otherwise train_vae throws one error naming each conflicting setting with both
  // values. Unlisted settings come from config.json. Ignored for a new run.
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

struct TrainResult {
  int64_t epochs_completed = 0;
  int64_t steps = 0;
  bool finished = false;  // all epochs done (false: stopped early; resume to continue)
  std::string summary_path;
};

// Trains (or resumes) the run in options.run_dir. A new run refuses a folder that already holds a run; a
// resumed run takes its settings from the folder's config.json (except those in options.explicit_settings,
// see there), and `config` must name the same latent. Resuming a run that has completed its planned epochs
// and whose summary.json describes its last epoch does nothing (the log says so) and reports it finished.
TrainResult train_vae(const VaeConfig& config, const TrainOptions& options);

struct RunEvaluation {
  EvalMetrics metrics;
  std::string split, checkpoint, output_path;
};

// Evaluates runs/NAME's checkpoint ("last" or "best") on "valid" or "test" with is_samples importance
// samples and writes eval_<split>_<checkpoint>_<is_samples>.json in the run folder.
RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                           const std::string& checkpoint, int64_t is_samples, std::ostream* log = &std::cout);

// Reads and validates runs/NAME/config.json (clear errors for a missing file or another experiment's run).
VaeConfig load_run_config(const std::string& run_dir);

const std::vector<std::string>& metrics_columns();

}  // namespace mixdist::experiments::vae
