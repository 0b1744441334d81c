#pragma once

/// @file
/// @brief The pictures of a finished bit-vector VAE run.
///
/// The pictures of a bit-vector VAE run (PNG, written atomically through mixdist/report):
/// @verbatim
///   reconstructions.png  test images (odd rows) above the decoder's mean intensities for one posterior
///                        sample of each (even rows);
///   prior_samples.png    mean intensities decoded from prior samples;
///   learning_curves.png  train -ELBO, valid -ELBO and valid NLL per epoch, in bits per pixel (when the table
///                        has at least two rows);
///   bit_values.png       how many of the K bits of a posterior sample are exactly 0, exactly 1 or in
///                        between, averaged over the test images.
/// @endverbatim

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "mixdist/experiments/bitvector_vae/model.h"

namespace mixdist::experiments::bitvector_vae {

/// Writes the pictures of a run into `run_dir` and returns the paths written, in order.
///
/// Sampling uses the model's current temperature and the global generator reseeded to config.eval_seed; the
/// generator's state and the model's train/eval mode are restored afterwards.
/// @param model the model to draw.
/// @param config eval_seed is read.
/// @param test_u8 [N >= 1, 784] uint8 test images.
/// @param metric_columns the per-epoch table's columns; the curves use "epoch" (x axis; the row number when
///   absent), "train_loss" (the mean objective loss, -log p(x|z) - H, to which the prior constant is added
///   back to give -ELBO), "valid_neg_elbo" and "valid_nll_bpp" when present.
/// @param metric_rows the per-epoch table's rows (NaN entries are gaps).
/// @param run_dir the folder to write into.
/// @throws c10::Error if test_u8 is not [N >= 1, 784], a row is shorter than the columns, or a picture cannot
///   be written.
std::vector<std::string> write_report_figures(BitVaeModelImpl& model, const BitVaeConfig& config,
                                              const at::Tensor& test_u8,
                                              const std::vector<std::string>& metric_columns,
                                              const std::vector<std::vector<double>>& metric_rows,
                                              const std::string& run_dir);

/// Average number of coordinates per row of codes [N >= 1, K] that are exactly 0, strictly inside (0, 1),
/// and exactly 1, in that order.
/// @throws c10::Error if codes is not [N >= 1, K].
std::vector<double> bit_value_counts(const at::Tensor& codes);

}  // namespace mixdist::experiments::bitvector_vae
