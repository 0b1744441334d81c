#pragma once

// Evaluation of the bit-vector VAE: the importance-sampled NLL (nats per image and bits per pixel), the
// single-sample distortion D = -log p(x | z), rate R = -H - log p(z) and -ELBO = D + R, and how discrete the
// latent codes are (the share of coordinates exactly 0 or 1 in the training path's sample; the paper's
// "sparsity" is the complementary share of non-binary coordinates).

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mixdist/experiments/bitvector_vae/model.h"

namespace mixdist::experiments::bitvector_vae {

struct BitVaeMetrics {
  double nll_bpp = 0;                             // -mean log p^(x) / (784 ln 2); NaN when is_samples == 0
  double nll = 0;                                 // -mean log p^(x), nats per image; NaN when is_samples == 0
  double distortion = 0, rate = 0, neg_elbo = 0;  // nats per image
  double exact_share = 0;                         // of the N x K coordinates, those exactly 0 or 1
  double nonbinary_share = 0;                     // 1 - exact_share
  int64_t images = 0, is_samples = 0;
};

// images_u8: [N, 784] uint8. The model is put in eval mode and the global generator reseeded to
// config.eval_seed, so every evaluation of the same model sees the same samples; both are restored
// afterwards, so evaluating never perturbs training. Batches of config.eval_batch_size, importance samples
// in chunks of config.is_chunk; averages are over images (a last partial batch weighs by its size).
// is_samples == 0 skips the importance sampling (ELBO only). Throws c10::Error for non-finite results.
BitVaeMetrics evaluate(BitVaeModelImpl& model, const at::Tensor& images_u8, const BitVaeConfig& config,
                       int64_t is_samples);

// The metric names used in CSV / JSON, in order ("nll_bpp", "nll", "D", "R", "neg_elbo", "exact_share",
// "nonbinary_share"), and their values.
const std::vector<std::string>& eval_metric_names();
std::vector<double> eval_metric_values(const BitVaeMetrics& m);

}  // namespace mixdist::experiments::bitvector_vae
