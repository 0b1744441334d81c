#pragma once

// Evaluation of the MNIST VAE (docs/experiments.md#mnist-vae-evaluation): importance-sampled NLL in nats,
// single-sample distortion D = -log p(x|z) and rate R (split into its face, within-face and continuous
// parts), ELBO = -D - R, and the mean support size of the latent (its sparsity). Images are binarised afresh,
// from a generator reseeded to config.eval_seed before each pass, so every evaluation of a checkpoint sees
// the same pixels.

#include <cstdint>
#include <string>

#include "mixdist/experiments/vae_mnist/vae.h"

namespace mixdist::experiments::vae_mnist {

struct EvalMetrics {
  double nll = 0, elbo = 0, distortion = 0, rate = 0;
  double rate_face = 0, rate_within = 0, rate_z = 0;
  double support = 0;  // mean nonzeros of a posterior sample
  int64_t images = 0, is_samples = 0;
};

// Averages are over images (PyTorch-Lightning 0.9 averaged per-batch means, which weighs a last partial batch
// like a full one: docs/experiments.md#compatibility-with-the-authors-code; with 100-image batches of MNIST
// the two agree). The global RNG state and the model's train/eval mode are restored afterwards, so evaluating
// never perturbs training.
EvalMetrics evaluate(VaeModelImpl& model, const at::Tensor& grey_images, const VaeConfig& config,
                     int64_t is_samples);

// The metric names used in CSV / JSON, in order, and their values.
const std::vector<std::string>& eval_metric_names();
std::vector<double> eval_metric_values(const EvalMetrics& m);

}  // namespace mixdist::experiments::vae_mnist
