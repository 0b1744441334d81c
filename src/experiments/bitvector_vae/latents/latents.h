#pragma once

// Constructors of the latent families (one file each) used by make_latent_family, and their shared pieces.

#include <ATen/ATen.h>

#include <memory>

#include "mixdist/experiments/bitvector_vae/latent.h"

namespace mixdist::experiments::bitvector_vae::latents {

// Gumbel-Softmax bits; straight_through: forward 1[score > 0] instead of the relaxed sample.
std::unique_ptr<LatentFamily> make_gumbel_softmax(const BitVaeConfig& config, bool straight_through);
std::unique_ptr<LatentFamily> make_binary_concrete(const BitVaeConfig& config);
std::unique_ptr<LatentFamily> make_hard_concrete(const BitVaeConfig& config);
std::unique_ptr<LatentFamily> make_gaussian_sparsemax(const BitVaeConfig& config);

// sigmoid(v) kept inside [eps, 1 - eps] of the dtype, as torch's RelaxedBernoulli clamps its samples: a
// relaxed bit is then never exactly 0 or 1 (its log-density stays finite, and it never counts as a discrete
// value), and the clamp only bites where the sigmoid has already saturated.
at::Tensor relaxed_bit(const at::Tensor& logit);

// n x K draws of the mixed prior shared by Hard Concrete and Gaussian-Sparsemax: per bit 0 or 1 with
// probability 1/3 each, else Uniform(0, 1).
at::Tensor mixed_prior_sample(int64_t n, int64_t K);

}  // namespace mixdist::experiments::bitvector_vae::latents
