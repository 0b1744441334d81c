#pragma once

/// @file
/// @brief The bit-vector VAE's evaluation: importance-sampled NLL, distortion, rate, -ELBO and how discrete
/// the codes are.
///
/// Evaluation of the bit-vector VAE (`docs/experiments.md#bit-vector-vae-evaluation`): the
/// importance-sampled NLL (nats per image and bits per pixel), the single-sample distortion
/// D = -log p(x | z), rate R = -H - log p(z) and -ELBO = D + R, and how discrete the latent codes are (the
/// share of coordinates exactly 0 or 1 in the training path's sample; the paper's "sparsity" is the
/// complementary share of non-binary coordinates).

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mixdist/experiments/bitvector_vae/model.h"

namespace mixdist::experiments::bitvector_vae {

/// The metrics of one evaluation, means over images.
struct BitVaeMetrics {
  /// -mean log p^(x) / (784 ln 2), bits per pixel; NaN when is_samples == 0.
  double nll_bpp = 0;
  /// -mean log p^(x), nats per image; NaN when is_samples == 0.
  double nll = 0;
  /// D = -log p(x | z), nats per image.
  double distortion = 0, rate = 0, neg_elbo = 0;
  /// @var rate
  /// R = -H - log p(z), nats per image.
  /// @var neg_elbo
  /// -ELBO = D + R, nats per image.

  /// Of the N x K latent coordinates, the share exactly 0 or 1.
  double exact_share = 0;
  /// 1 - exact_share.
  double nonbinary_share = 0;
  /// Images evaluated.
  int64_t images = 0, is_samples = 0;
  /// @var is_samples
  /// Importance samples per image (0: none).
};

/// Evaluates `model` on `images_u8`.
///
/// The model is put in eval mode and the global generator reseeded to config.eval_seed, so every evaluation
/// of the same model sees the same samples; both are restored afterwards, so evaluating never perturbs
/// training. Batches of config.eval_batch_size, importance samples in chunks of config.is_chunk; averages are
/// over images (a last partial batch weighs by its size). The model's current temperature is used.
/// @param model the model.
/// @param images_u8 images [N >= 1, 784] uint8.
/// @param config eval_batch_size, is_chunk and eval_seed are read.
/// @param is_samples importance samples per image, >= 0; 0 skips the importance sampling (ELBO only).
/// @throws c10::Error for images that are not [N >= 1, 784] uint8, a negative is_samples, or non-finite
///   results.
/// @throws train::Stopped when a stop is requested (Ctrl-C, SIGTERM) during the importance sampling.
///
/// @code
/// BitVaeMetrics m = mixdist::experiments::bitvector_vae::evaluate(*model, data.test, config, 1024);
/// @endcode
BitVaeMetrics evaluate(BitVaeModelImpl& model, const at::Tensor& images_u8, const BitVaeConfig& config,
                       int64_t is_samples);

/// The metric names used in CSV / JSON, in order: "nll_bpp", "nll", "D", "R", "neg_elbo", "exact_share",
/// "nonbinary_share".
const std::vector<std::string>& eval_metric_names();
/// The values of `m`, in the order of eval_metric_names().
std::vector<double> eval_metric_values(const BitVaeMetrics& m);

}  // namespace mixdist::experiments::bitvector_vae
