#pragma once

// The pictures of a bit-vector VAE run (PNG, written atomically through mixdist/report):
//   reconstructions.png  test images (odd rows) above the decoder's mean intensities for one posterior
//                        sample of each (even rows);
//   prior_samples.png    mean intensities decoded from prior samples;
//   learning_curves.png  train -ELBO, valid -ELBO and valid NLL per epoch, in bits per pixel (when the table
//                        has at least two rows);
//   bit_values.png       how many of the K bits of a posterior sample are exactly 0, exactly 1 or in
//                        between, averaged over the test images.

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "mixdist/experiments/bitvector_vae/model.h"

namespace mixdist::experiments::bitvector_vae {

// test_u8: [N, 784] uint8 test images. metric_columns / metric_rows: the per-epoch table; the curves use
// "epoch" (x axis; the row number when absent), "train_loss" (the mean objective loss, -log p(x|z) - H, to
// which the prior constant is added back to give -ELBO), "valid_neg_elbo" and "valid_nll_bpp" when present
// (NaN entries are gaps). Sampling uses the model's current temperature and a generator seeded with
// config.eval_seed; the global generator's state and the model's train/eval mode are restored afterwards.
// Returns the paths written, in order.
std::vector<std::string> write_report_figures(BitVaeModelImpl& model, const BitVaeConfig& config,
                                              const at::Tensor& test_u8,
                                              const std::vector<std::string>& metric_columns,
                                              const std::vector<std::vector<double>>& metric_rows,
                                              const std::string& run_dir);

// Average number of coordinates per row of codes [N, K] that are exactly 0, strictly inside (0, 1), and
// exactly 1, in that order.
std::vector<double> bit_value_counts(const at::Tensor& codes);

}  // namespace mixdist::experiments::bitvector_vae
