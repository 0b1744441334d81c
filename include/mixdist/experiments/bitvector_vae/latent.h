#pragma once

/// @file
/// @brief The interface of the bit-vector VAE's latent families (LatentFamily).
///
/// A latent family of the bit-vector VAE (`docs/experiments.md#bit-vector-vae-the-five-latents`): how K bits
/// are drawn from the encoder's scores in training, the entropy term of the objective, the prior's
/// log-density, and the importance samples of the evaluation. One implementation per family
/// (src/experiments/bitvector_vae/latents/), so the model never branches on the method. Log-densities of the
/// mixed families (Hard Concrete, Gaussian-Sparsemax) are w.r.t. the direct-sum measure (counting measure at
/// 0 and 1, Lebesgue measure inside, `docs/math.md#the-direct-sum-base-measure`), the same measure as their
/// priors', so the importance weights p / q are well defined.
///
/// All randomness comes from the global CPU generator.

#include <ATen/ATen.h>

#include <memory>

#include "mixdist/experiments/bitvector_vae/config.h"

namespace mixdist::experiments::bitvector_vae {

/// The training path of one batch.
struct LatentSample {
  /// [B, K] in [0, 1]: the code fed to the decoder (differentiable in the scores).
  at::Tensor z;
  /// [B]: the entropy term H of the objective, summed over bits (differentiable).
  at::Tensor entropy;
};

/// num_samples codes per image drawn without gradient from the proposal, with their log-densities, for
/// log p(x) ~ logsumexp_s [log p(x | z_s) + log p(z_s) - log q(z_s | x)] - log S.
struct ImportanceSamples {
  /// The codes, [S, B, K].
  at::Tensor z;
  /// log q(z | x) under the proposal, [S, B].
  at::Tensor log_q;
  /// log p(z) under the prior, [S, B].
  at::Tensor log_prior;
};

/// A latent family: training samples with their entropy term, importance samples, and the prior.
class LatentFamily {
 public:
  virtual ~LatentFamily() = default;

  /// The training path's sample and entropy term of a batch.
  /// @param scores the encoder's [B, K].
  /// @param temperature the current one, > 0 (ignored by Gaussian-Sparsemax).
  virtual LatentSample sample(const at::Tensor& scores, double temperature) const = 0;
  /// num_samples codes per image from the family's proposal, with log q and log p of each.
  /// @param scores the encoder's [B, K].
  /// @param temperature the current one, > 0 (ignored by Gaussian-Sparsemax).
  /// @param num_samples S, >= 1.
  virtual ImportanceSamples importance_samples(const at::Tensor& scores, double temperature,
                                               int64_t num_samples) const = 0;
  /// log p(z) of the prior, which is the same for every code the objective feeds the decoder: -K log 2
  /// (Bernoulli(1/2) bits), 0 (uniform on (0, 1)^K) or -K log 3 (per bit 1/3 at 0, 1/3 at 1, 1/3 uniform).
  virtual double log_prior_constant() const = 0;
  /// n codes from the prior, [n, K] float.
  virtual at::Tensor prior_sample(int64_t n) const = 0;
};

/// The latent family of config.latent, with config's latent_bits, logit_clamp, gsp_std and compat.
/// @throws c10::Error for an invalid config (config.validate()).
std::unique_ptr<LatentFamily> make_latent_family(const BitVaeConfig& config);

}  // namespace mixdist::experiments::bitvector_vae
