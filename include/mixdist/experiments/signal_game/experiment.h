#pragma once

// The signal game as an experiment of the shared run layer (experiments/run/): `mixdist train game
// --channel ...`, run folder tag "channel", one epoch = one validation round of steps_per_epoch steps,
// ckpt.best on the highest validation accuracy, and summary.json reporting that best checkpoint (the
// reference code tested the checkpoint its Lightning callback kept, the best on validation); comparison as
// mean ± standard error over seeds, as the paper's table. Typed shortcuts over run::train /
// run::evaluate_run for C++ callers and tests.
//
// Randomness: the training games and the channel noise come from the global generator, which the layer
// seeds and checkpoints, so a resumed run continues the same stream of games. The temperature is a pure
// function of the steps taken (temperature_at), so nothing about it is checkpointed. Validation and the
// final evaluation use the temperature of the evaluated checkpoint's step; with compat "authors" the final
// evaluation uses temperature 1, as the reference test script did.
//
// Interaction log: each final evaluation writes interactions_<split>.jsonl in the run folder, and
// evaluate_run interactions_<split>_<checkpoint>.jsonl, one JSON object per game played (interactions_jsonl
// in evaluation.h), counted exactly as the evaluation's success and nonzeros.

#include <iostream>
#include <string>

#include "mixdist/experiments/run/trainer.h"
#include "mixdist/experiments/signal_game/config.h"

namespace mixdist::experiments::signal_game {

const run::ExperimentInfo& info();

run::RunResult train_game(const GameConfig& config, const run::RunOptions& options);
run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, std::ostream* log = &std::cout);
// The temperature an evaluation of a checkpoint taken after `completed_steps` steps uses: that step's
// annealed temperature; with compat "authors", 1 for the final evaluation (final == true).
double evaluation_temperature(const GameConfig& config, int64_t completed_steps, bool final);

}  // namespace mixdist::experiments::signal_game
