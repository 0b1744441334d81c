#pragma once

/// @file
/// @brief The Fashion-MNIST bit-vector VAE as an experiment of the run layer, and typed shortcuts to train
/// and evaluate its runs.
///
/// The Fashion-MNIST bit-vector VAE as an experiment of the shared run layer (experiments/run/): run folder
/// tag "latent", ckpt.best on the lowest validation -ELBO (the authors' Lightning checkpoint), whose final
/// validation and test evaluation summary.json reports, comparison as mean ± standard error over seeds; and
/// typed shortcuts over run::train / run::evaluate_run for C++ callers and tests.
///
/// Temperature: the relaxed families' temperature is a pure function of the optimiser steps taken
/// (temperature_at), so nothing about it is checkpointed and a resumed run anneals exactly as an
/// uninterrupted one. Validation and the final evaluation use the temperature of the evaluated checkpoint's
/// step; with compat "authors" the final evaluation uses temperature 1, as the authors' test script did
/// (their checkpoints did not keep the annealed value).

#include <iostream>
#include <string>

#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/run/trainer.h"

/// @brief The bit-vector VAE on Fashion-MNIST (`docs/experiments.md#the-bit-vector-vae-on-fashion-mnist`):
/// 128 latent bits trained five ways, compared by NLL in bits per pixel, -ELBO and how discrete the codes
/// are.
namespace mixdist::experiments::bitvector_vae {

/// The experiment's description for the run layer: name "bitvector_vae", `mixdist train bitvae`, variant key
/// "latent", selection metric "neg_elbo" (lowest), final checkpoint "best", comparison of NLL (bits/pixel),
/// D, R, -ELBO and the exact / non-binary shares as mean ± standard error, distinguishing setting "compat"
/// (default "none"). Built once, on the first call.
const run::ExperimentInfo& info();

/// Trains (or resumes) a run of `config` in options.run_dir: config.validate(), then run::train.
///
/// metrics.csv's training columns: "train_loss" (the mean objective, -log p(x | z) - H), "train_neg_elbo",
/// "train_D", "train_R", "train_exact_share" and "temperature" (the one after the epoch, which its
/// validation uses).
/// @param config the run's config (with options.resume, only the settings listed in
///   options.explicit_settings and the planned epochs may differ from the run's config.json).
/// @param options the run folder, resume and the rest (run::RunOptions).
/// @return how far the run got.
/// @throws c10::Error for an invalid config (naming the setting), missing Fashion-MNIST data, and as
///   run::train.
///
/// @code
/// using namespace mixdist::experiments;
/// run::RunOptions options;
/// options.run_dir = "runs/hard-concrete-42";
/// const auto config = bitvector_vae::make_preset(bitvector_vae::BitLatent::kHardConcrete, "paper");
/// run::RunResult result = bitvector_vae::train_bitvae(config, options);
/// @endcode
run::RunResult train_bitvae(const BitVaeConfig& config, const run::RunOptions& options);
/// Evaluates a run's checkpoint and writes `eval_<split>_<checkpoint>_<samples>.json` (run::evaluate_run), on
/// the first final_valid_size / final_test_size images of the split (0: all).
/// @param run_dir the run folder.
/// @param split "valid" or "test".
/// @param checkpoint "last" or "best".
/// @param is_samples importance samples per image, >= 1; 0: the run's final_is_samples.
/// @param log where the result line goes; nullptr: nowhere.
/// @throws c10::Error for a negative is_samples, and as run::evaluate_run.
run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, int64_t is_samples,
                                std::ostream* log = &std::cout);
/// The temperature an evaluation of a checkpoint taken after `completed_steps` steps uses: that step's
/// annealed temperature (temperature_at); with compat "authors", 1 for the final evaluation (final == true).
/// @param config the run's config.
/// @param completed_steps the checkpoint's optimiser steps, >= 0.
/// @param final whether this is a final evaluation (summary.json, `mixdist eval`) rather than a validation.
/// @throws c10::Error if completed_steps < 0 (unless final with compat "authors").
double evaluation_temperature(const BitVaeConfig& config, int64_t completed_steps, bool final);

}  // namespace mixdist::experiments::bitvector_vae
