#pragma once

// Checkpoints of a VAE run: model, both Adam optimisers, the global RNG state and the metrics rows so far, so
// that a resumed run continues bit for bit where an uninterrupted one would be. Written atomically (a crash
// leaves the previous checkpoint intact); tagged with the experiment and latent so that loading one into the
// wrong model fails with a clear message instead of a shape error deep in LibTorch.

#include "mixdist/train/fused_adam.h"

#include <string>
#include <vector>

#include "mixdist/experiments/vae_mnist/vae.h"

namespace mixdist::experiments::vae {

struct TrainingState {
  int64_t epoch = 0;  // completed epochs
  int64_t step = 0;   // completed optimiser steps
  double best_valid_nll = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> metrics_rows;  // one per completed epoch
};

struct Optimizers {
  train::FusedAdam generator, inference;
};

void save_checkpoint(const std::string& path, const VaeConfig& config, VaeModelImpl& model,
                     Optimizers& optimizers, const TrainingState& state);
// Restores model, optimisers and the global RNG state in place and returns the training state. Errors name
// the path: missing file, another experiment's or latent's checkpoint.
TrainingState load_checkpoint(const std::string& path, const VaeConfig& config, VaeModelImpl& model,
                              Optimizers& optimizers);
// Only the model (for evaluation).
void load_model(const std::string& path, const VaeConfig& config, VaeModelImpl& model);

}  // namespace mixdist::experiments::vae
