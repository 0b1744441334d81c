#pragma once

/// @file
/// @brief The MNIST VAE's evaluation: importance-sampled NLL, distortion, rate and support size.
///
/// Evaluation of the MNIST VAE (`docs/experiments.md#mnist-vae-evaluation`): importance-sampled NLL in nats,
/// single-sample distortion D = -log p(x|z) and rate R (split into its face, within-face and continuous
/// parts), ELBO = -D - R, and the mean support size of the latent (its sparsity). Images are binarised
/// afresh, from a generator reseeded to config.eval_seed before each pass, so every evaluation of a
/// checkpoint sees the same pixels.

#include <cstdint>
#include <string>

#include "mixdist/experiments/vae_mnist/vae.h"

namespace mixdist::experiments::vae_mnist {

/// The metrics of one evaluation, each a mean over images, in nats per image unless said otherwise.
struct EvalMetrics {
  /// Importance-sampled negative log-likelihood -log p^(x).
  double nll = 0, elbo = 0, distortion = 0, rate = 0;
  /// @var elbo
  /// The single-sample ELBO, -distortion - rate.
  /// @var distortion
  /// D = -log p(x | z) of one posterior sample (Categorical: its exact expectation).
  /// @var rate
  /// R = rate_face + rate_within + rate_z.

  /// KL of the face law (Mixed Dirichlet) or the class law (Categorical, GS-ST); 0 for the others.
  double rate_face = 0, rate_within = 0, rate_z = 0;
  /// @var rate_within
  /// KL within the sampled face (Mixed Dirichlet); 0 for the others.
  /// @var rate_z
  /// KL of a continuous latent (Gaussian, Dirichlet, Gaussian-Sparsemax); 0 for the others.

  /// Mean nonzeros of a posterior sample (L for dense latents, 1 for one-hot ones).
  double support = 0;
  /// Images evaluated.
  int64_t images = 0, is_samples = 0;
  /// @var is_samples
  /// Importance samples per image.
};

/// Evaluates `model` on `grey_images`, in batches of config.eval_batch_size.
///
/// Averages are over images (PyTorch-Lightning 0.9 averaged per-batch means, which weighs a last partial
/// batch like a full one: `docs/experiments.md#compatibility-with-the-authors-code`; with 100-image batches
/// of MNIST the two agree). The model runs in eval mode without gradients; the global RNG state (reseeded to
/// config.eval_seed for the evaluation) and the model's train/eval mode are restored afterwards, so
/// evaluating never perturbs training.
/// @param model the model.
/// @param grey_images grey images [N >= 1, 784] in [0, 1], binarised here.
/// @param config eval_batch_size and eval_seed are read.
/// @param is_samples importance samples per image, >= 1.
/// @throws c10::Error for is_samples < 1, images that are not [N >= 1, D], or a non-finite NLL or ELBO.
/// @throws train::Stopped when a stop is requested (Ctrl-C, SIGTERM) during the importance sampling.
///
/// @code
/// EvalMetrics m = mixdist::experiments::vae_mnist::evaluate(*model, data.test, config, 1000);
/// @endcode
EvalMetrics evaluate(VaeModelImpl& model, const at::Tensor& grey_images, const VaeConfig& config,
                     int64_t is_samples);

/// The sums behind EvalMetrics over a set of images, which add up across the slices of a sharded
/// evaluation (means of slices would not).
struct EvalSums {
  /// The sum over images of the importance-sampled log p^(x).
  double log_marginal = 0;
  /// The sum of log p(x | z) (minus the distortion).
  double log_likelihood = 0;
  /// The sum of the KL of the face (class) law.
  double kl_face = 0;
  /// The sum of the KL within the face.
  double kl_within = 0;
  /// The sum of the KL of the continuous latent.
  double kl_z = 0;
  /// The sum of the support sizes.
  double support = 0;
  /// Images summed over.
  int64_t images = 0;
  /// The sums in the order above, then the images (what distributed::sum_over_ranks adds).
  std::vector<double> to_vector() const;
  /// The inverse of to_vector().
  static EvalSums from_vector(const std::vector<double>& v);
};

/// evaluate()'s sums over `grey_images`, before they are divided by the number of images.
/// @param model the model.
/// @param grey_images grey images [N >= 1, 784] in [0, 1], binarised here.
/// @param config eval_batch_size and eval_seed are read.
/// @param is_samples importance samples per image, >= 1.
/// @throws c10::Error and train::Stopped as evaluate().
EvalSums evaluate_sums(VaeModelImpl& model, const at::Tensor& grey_images, const VaeConfig& config,
                       int64_t is_samples);

/// The metrics of `sums` (means over sums.images).
/// @throws c10::Error for no images or a non-finite NLL or ELBO.
EvalMetrics metrics_from_sums(const EvalSums& sums, int64_t is_samples);

/// The metric names used in CSV / JSON, in order: "nll", "elbo", "D", "R", "R_F", "R_Y_given_f", "R_Z",
/// "support".
const std::vector<std::string>& eval_metric_names();
/// The values of `m`, in the order of eval_metric_names().
std::vector<double> eval_metric_values(const EvalMetrics& m);

}  // namespace mixdist::experiments::vae_mnist
