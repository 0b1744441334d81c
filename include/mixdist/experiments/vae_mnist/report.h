#pragma once

/// @file
/// @brief The pictures of a finished MNIST VAE run.
///
/// The pictures of a VAE run (PNG, written atomically): test images above their reconstructions, decoded
/// prior samples, the learning curves, and for the mixed latents the histogram of face sizes (support sizes
/// of the latent: how sparse the codes are) under the posterior and the prior.

#include <string>
#include <vector>

#include "mixdist/experiments/vae_mnist/vae.h"

namespace mixdist::experiments::vae_mnist {

/// What write_report_figures wrote.
struct ReportFiles {
  /// The paths, in the order written.
  std::vector<std::string> written;
};

/// Writes the pictures of a run into `run_dir`: reconstructions.png (40 binarised test images, rows
/// alternating with their reconstructions), prior_samples.png (100 decoded prior samples), for the mixed
/// latents face_sizes.png (face-size histogram of up to 10,000 test images' posterior samples and of 10,000
/// prior samples), and learning_curves.png (train -ELBO and valid NLL per epoch, when the table has at least
/// two rows).
///
/// The model runs in eval mode without gradients, with the global generator reseeded to config.eval_seed;
/// the generator's state and the model's train/eval mode are restored afterwards.
/// @param model the model to draw.
/// @param config latent, latent_dim, eval_batch_size and eval_seed are read.
/// @param grey_test [N, 784] test images in [0, 1].
/// @param metric_columns the per-epoch table's columns (metrics_columns()); "epoch", "train_loss" and
///   "valid_nll" are drawn.
/// @param metric_rows the per-epoch table's rows (NaN entries are gaps).
/// @param run_dir the folder to write into.
/// @throws c10::Error if a picture cannot be written (naming it).
ReportFiles write_report_figures(VaeModelImpl& model, const VaeConfig& config, const at::Tensor& grey_test,
                                 const std::vector<std::string>& metric_columns,
                                 const std::vector<std::vector<double>>& metric_rows,
                                 const std::string& run_dir);

/// Frequencies of support sizes 1..L of latents [N >= 1, L] (nonzero coordinates per row), summing to 1 (when
/// no row is all zero).
/// @return L frequencies, entry n - 1 for support size n.
/// @throws c10::Error if latents is not [N >= 1, L].
std::vector<double> support_size_histogram(const at::Tensor& latents);

}  // namespace mixdist::experiments::vae_mnist
