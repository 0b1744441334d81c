#pragma once

/// @file
/// @brief The signal game as an experiment of the run layer, and typed shortcuts to train and evaluate its
/// runs.
///
/// The signal game as an experiment of the shared run layer (experiments/run/):
/// `mixdist train game --channel ...`, run folder tag "channel", one epoch = one validation round of
/// steps_per_epoch steps, ckpt.best on the highest validation accuracy, and summary.json reporting that best
/// checkpoint (the reference code tested the checkpoint its Lightning callback kept, the best on validation);
/// comparison as mean ± standard error over seeds, as the paper's table. Typed shortcuts over run::train /
/// run::evaluate_run for C++ callers and tests.
///
/// Randomness: the training games and the channel noise come from the global generator, which the layer
/// seeds and checkpoints, so a resumed run continues the same stream of games. The temperature is a pure
/// function of the steps taken (temperature_at), so nothing about it is checkpointed. Validation and the
/// final evaluation use the temperature of the evaluated checkpoint's step; with compat "authors" the final
/// evaluation uses temperature 1, as the reference test script did.
///
/// Interaction log: each final evaluation writes interactions_<split>.jsonl in the run folder, and
/// evaluate_run interactions_<split>_<checkpoint>.jsonl, one JSON object per game played (interactions_jsonl
/// in evaluation.h), counted exactly as the evaluation's success and nonzeros.

#include <iostream>
#include <string>

#include "mixdist/experiments/run/trainer.h"
#include "mixdist/experiments/signal_game/config.h"

/// @brief The signal game (`docs/experiments.md#the-signaling-game`): emergent communication between a
/// sender and a receiver through one of four message channels, compared by success and by how sparse the
/// messages are.
namespace mixdist::experiments::signal_game {

/// The experiment's description for the run layer: name "signal_game", `mixdist train game`, variant key
/// "channel", selection metric "accuracy" (highest), final checkpoint "best", comparison of success,
/// nonzeros, symbol entropy, distinct symbols, topographic similarity and loss as mean ± standard error,
/// distinguishing settings "compat" (default "none") and "features" (default "pixels"). Built once, on the
/// first call.
const run::ExperimentInfo& info();

/// Trains (or resumes) a run of `config` in options.run_dir: config.validate(), then run::train.
///
/// metrics.csv's training columns: "train_loss", "train_accuracy", "train_nonzeros" and "temperature" (the
/// one after the epoch, which its validation uses). Each final evaluation writes interactions_<split>.jsonl.
/// @param config the run's config (with options.resume, only the settings listed in
///   options.explicit_settings and the planned epochs may differ from the run's config.json).
/// @param options the run folder, resume and the rest (run::RunOptions).
/// @return how far the run got.
/// @throws c10::Error for an invalid config (naming the setting), missing MNIST data, and as run::train.
///
/// @code
/// using namespace mixdist::experiments;
/// run::RunOptions options;
/// options.run_dir = "runs/gsp-322";
/// const auto config = signal_game::make_preset(signal_game::Channel::kGaussianSparsemax, "paper");
/// run::RunResult result = signal_game::train_game(config, options);
/// @endcode
run::RunResult train_game(const GameConfig& config, const run::RunOptions& options);
/// Evaluates a run's checkpoint (run::evaluate_run), writing `eval_<split>_<checkpoint>.json` and
/// `interactions_<split>_<checkpoint>.jsonl` in the run folder.
/// @param run_dir the run folder.
/// @param split "valid" or "test".
/// @param checkpoint "last" or "best".
/// @param log where the result line goes; nullptr: nowhere.
/// @throws c10::Error as run::evaluate_run.
run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, std::ostream* log = &std::cout);
/// The temperature an evaluation of a checkpoint taken after `completed_steps` steps uses: that step's
/// annealed temperature (temperature_at); with compat "authors", 1 for the final evaluation (final == true).
/// @param config the run's config.
/// @param completed_steps the checkpoint's optimiser steps, >= 0.
/// @param final whether this is a final evaluation (summary.json, `mixdist eval`) rather than a validation.
/// @throws c10::Error if completed_steps < 0 (unless final with compat "authors").
double evaluation_temperature(const GameConfig& config, int64_t completed_steps, bool final);

}  // namespace mixdist::experiments::signal_game
