#pragma once

// The Fashion-MNIST bit-vector VAE as an experiment of the shared run layer (experiments/run/): run folder
// tag "latent", ckpt.best on the lowest validation -ELBO (the authors' Lightning checkpoint), whose final
// validation and test evaluation summary.json reports, comparison as mean ± standard error over seeds; and
// typed shortcuts over run::train / run::evaluate_run for C++ callers and tests.
//
// Temperature: the relaxed families' temperature is a pure function of the optimiser steps taken
// (temperature_at), so nothing about it is checkpointed and a resumed run anneals exactly as an uninterrupted
// one. Validation and the final evaluation use the temperature of the evaluated checkpoint's step; with
// compat "authors" the final evaluation uses temperature 1, as the authors' test script did (their
// checkpoints did not keep the annealed value).

#include <iostream>
#include <string>

#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/run/trainer.h"

namespace mixdist::experiments::bitvector_vae {

const run::ExperimentInfo& info();

run::RunResult train_bitvae(const BitVaeConfig& config, const run::RunOptions& options);
// is_samples <= 0: the run's final_is_samples.
run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, int64_t is_samples,
                                std::ostream* log = &std::cout);
// The temperature an evaluation of a checkpoint taken after `completed_steps` steps uses: that step's
// annealed temperature; with compat "authors", 1 for the final evaluation (final == true).
double evaluation_temperature(const BitVaeConfig& config, int64_t completed_steps, bool final);

}  // namespace mixdist::experiments::bitvector_vae
