#pragma once

// The MNIST mixed-latent VAE as an experiment of the shared run layer (experiments/run/): its description
// (run folder tag "latent", ckpt.best on the lowest validation NLL, the final evaluation of ckpt.last as the
// paper reports, comparison as mean ± population std over seeds as the authors' summary notebook), and
// typed shortcuts over run::train / run::evaluate_run for C++ callers and tests.

#include <iostream>
#include <string>
#include <vector>

#include "mixdist/experiments/run/trainer.h"
#include "mixdist/experiments/vae_mnist/config.h"
#include "mixdist/experiments/vae_mnist/vae.h"

namespace mixdist::experiments::vae_mnist {

const run::ExperimentInfo& info();

run::RunResult train_vae(const VaeConfig& config, const run::RunOptions& options);
// is_samples <= 0: the run's final_is_samples.
run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, int64_t is_samples,
                                std::ostream* log = &std::cout);
// Reads and validates runs/NAME/config.json (clear errors for a missing file or another experiment's run).
VaeConfig load_run_config(const std::string& run_dir);
// Loads only the model of a checkpoint (errors for another experiment's or latent's checkpoint).
void load_model(const std::string& path, const VaeConfig& config, VaeModelImpl& model);
// metrics.csv's columns.
const std::vector<std::string>& metrics_columns();

}  // namespace mixdist::experiments::vae_mnist
