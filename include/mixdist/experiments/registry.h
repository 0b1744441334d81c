#pragma once

/// @file
/// @brief The list of every experiment this mixdist can train, evaluate and compare.
///
/// Every experiment this mixdist runs, for the commands that work on runs of any of them (`mixdist eval`,
/// `mixdist compare`) and for the CLI's `train` subcommands.

#include <vector>

#include "mixdist/experiments/run/experiment.h"

/// @brief The paper's three experiments, on the shared run layer.
///
/// Sub-namespaces: mixdist::experiments::run (the run folder, training loop, checkpoints and comparison
/// every experiment shares), mixdist::experiments::vae_mnist (the MNIST mixed-latent VAE),
/// mixdist::experiments::bitvector_vae (the Fashion-MNIST bit-vector VAE) and
/// mixdist::experiments::signal_game (the emergent-communication signal game). See `docs/experiments.md`.
namespace mixdist::experiments {

/// The description of every experiment, in the order tables list them.
///
/// The MNIST VAE (vae_mnist::info()), then the bit-vector VAE (bitvector_vae::info()), then the signal game
/// (signal_game::info()). The list is built once, on the first call, and lives until the program ends.
/// @return the experiments' descriptions, to pass to run::compare_runs, run::find_experiment and the like.
///
/// @code
/// using namespace mixdist::experiments;
/// const run::ExperimentInfo& vae = run::find_experiment(all_experiments(), "vae_mnist");
/// @endcode
const std::vector<run::ExperimentInfo>& all_experiments();

}  // namespace mixdist::experiments
