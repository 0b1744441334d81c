#pragma once

/// @file
/// @brief The MNIST mixed-latent VAE as an experiment of the run layer, and typed shortcuts to train and
/// evaluate its runs.
///
/// The MNIST mixed-latent VAE as an experiment of the shared run layer (experiments/run/): its description
/// (run folder tag "latent", ckpt.best on the lowest validation NLL, the final evaluation of ckpt.last as the
/// paper reports, comparison as mean ± population std over seeds as the authors' summary notebook), and
/// typed shortcuts over run::train / run::evaluate_run for C++ callers and tests.

#include <iostream>
#include <string>
#include <vector>

#include "mixdist/experiments/run/trainer.h"
#include "mixdist/experiments/vae_mnist/config.h"
#include "mixdist/experiments/vae_mnist/vae.h"

/// @brief The MNIST mixed-latent VAE (`docs/experiments.md#the-mnist-mixed-latent-vae`): six latent models,
/// among them the Mixed Dirichlet and Gaussian-Sparsemax mixed latents, compared by NLL, distortion and rate.
namespace mixdist::experiments::vae_mnist {

/// The experiment's description for the run layer: name "vae_mnist", `mixdist train vae`, variant key
/// "latent", selection metric "nll" (lowest), final checkpoint "last", comparison of NLL, D, R (and its
/// parts), ELBO and support as mean ± population std, distinguishing setting "face_prior" (default
/// "authors"). Built once, on the first call.
const run::ExperimentInfo& info();

/// Trains (or resumes) a run of `config` in options.run_dir: config.validate(), then run::train.
/// @param config the run's config (with options.resume, only the settings listed in
///   options.explicit_settings and the planned epochs may differ from the run's config.json).
/// @param options the run folder, resume and the rest (run::RunOptions).
/// @return how far the run got.
/// @throws c10::Error for an invalid config (naming the setting), missing MNIST data, and as run::train.
///
/// @code
/// using namespace mixdist::experiments;
/// run::RunOptions options;
/// options.run_dir = "runs/mixed-dirichlet-10";
/// const auto config = vae_mnist::make_preset(vae_mnist::LatentType::kMixedDirichlet, "quick");
/// run::RunResult result = vae_mnist::train_vae(config, options);
/// @endcode
run::RunResult train_vae(const VaeConfig& config, const run::RunOptions& options);
/// Evaluates a run's checkpoint and writes `eval_<split>_<checkpoint>_<is_samples>.json` (run::evaluate_run).
/// @param run_dir the run folder.
/// @param split "valid" or "test".
/// @param checkpoint "last" or "best".
/// @param is_samples importance samples per image, >= 1; 0: the run's final_is_samples.
/// @param log where the result line goes; nullptr: nowhere.
/// @throws c10::Error for a negative is_samples, and as run::evaluate_run.
run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, int64_t is_samples,
                                std::ostream* log = &std::cout);
/// Reads and validates `run_dir/config.json`.
/// @throws c10::Error for a missing folder or file, another experiment's run, an unknown or missing key, or
///   an invalid setting.
VaeConfig load_run_config(const std::string& run_dir);
/// Loads only the model of a checkpoint (no config comparison; run::load_model).
/// @param path the checkpoint file, e.g. "runs/x/ckpt.best".
/// @param config the config `model` was built from (its latent must be the checkpoint's).
/// @param model the model to load into.
/// @throws c10::Error for a missing, unreadable or damaged file, or another experiment's or latent's
///   checkpoint.
void load_model(const std::string& path, const VaeConfig& config, VaeModelImpl& model);
/// metrics.csv's columns: "epoch", "step", "seconds", the training columns ("train_loss", "train_D",
/// "train_R", "train_R_F", "train_R_Y_given_f", "train_R_Z", "train_support"), then "valid_" + each of
/// eval_metric_names().
const std::vector<std::string>& metrics_columns();

}  // namespace mixdist::experiments::vae_mnist
