#pragma once

/// @file
/// @brief The interface of the MNIST VAE's latent models (Latent) and the terms they compute.
///
/// A latent model of the MNIST VAE: the posterior family built from the encoder's heads, its fixed prior, and
/// the gradient estimator of `docs/experiments.md#mnist-vae-the-six-latent-models`. One implementation per
/// latent type (src/experiments/vae_mnist/latents/), so the VAE itself never branches on the type (the EGG
/// habit of separating the game from the channel). All log-densities are w.r.t. the same base measure as the
/// prior's (the direct-sum measure for the mixed latents, `docs/math.md#the-direct-sum-base-measure`), so
/// importance weights p/q are valid across faces.

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <vector>

#include "mixdist/experiments/vae_mnist/config.h"

namespace mixdist::experiments::vae_mnist {

/// log p(x | latent) of the batch x [B, 784] under the decoder, as the latent models call it.
struct LogLikelihood {
  /// Latents [..., B, L] -> [..., B].
  std::function<at::Tensor(const at::Tensor& latent)> of_latents;
  /// K codes [K, L] shared by every data point -> [B, K]. The decoder has no dropout, so its output depends
  /// on the code only: it runs once per code instead of once per code and data point (the Categorical
  /// model's exact marginalisation and the one-hot models' importance samples).
  std::function<at::Tensor(const at::Tensor& codes)> of_codes;
  /// Same as of_latents(latent).
  at::Tensor operator()(const at::Tensor& latent) const { return of_latents(latent); }
};

/// Per-data-point terms of one single-sample training objective, each [B].
struct LatentTerms {
  /// log p(x | latent) (Categorical: its exact expectation under q).
  at::Tensor log_likelihood;
  /// KL(q_F || p_F): the face law (Mixed Dirichlet) or the class law (discrete); 0 for the others.
  at::Tensor kl_face;
  /// KL(q_{Y|f} || p_{Y|f}) at the sampled face (Mixed Dirichlet); 0 for the others.
  at::Tensor kl_within;
  /// KL of a continuous latent (closed form, or Monte Carlo for Gaussian-Sparsemax); 0 for the others.
  at::Tensor kl_z;
  /// Score-function surrogate added to the objective (0 where unused); its value is not a loss term.
  at::Tensor surrogate;
  /// Nonzeros of the sampled latent (L for dense latents).
  at::Tensor support_size;

  /// The rate, kl_face + kl_within + kl_z, [B].
  at::Tensor rate() const { return kl_face + kl_within + kl_z; }
};

/// num_samples latents per data point drawn from q (no gradient), with log q and log p of each, [S, B].
struct ImportanceSamples {
  /// The latents, [S, B, L].
  at::Tensor latent;
  /// log q(latent | x), [S, B].
  at::Tensor log_q, log_prior;
  /// @var log_prior
  /// log p(latent) under the prior, [S, B].

  /// Set by latents with finitely many values: latent[s, b] = codes[code_index[s, b]], so the likelihood can
  /// be read from a [B, K] table (LogLikelihood::of_codes). The codes, [K, L]; undefined otherwise.
  at::Tensor codes = {};
  /// The index of each sample's code, [S, B], int64; undefined when codes is.
  at::Tensor code_index = {};
};

/// A latent model: the encoder heads it needs, its training terms, importance samples and prior samples.
///
/// All randomness comes from the global CPU generator. make_latent builds one.
class Latent {
 public:
  virtual ~Latent() = default;
  /// Output sizes of the encoder heads (e.g. {2 L} for a location and a scale).
  virtual std::vector<int64_t> head_sizes() const = 0;
  /// Whether each head gets its own dropout (face-and-Y encoder of the discrete and Mixed Dirichlet models).
  virtual bool head_dropout() const = 0;
  /// Whether the latent is sparse (Gaussian-Sparsemax, Mixed Dirichlet), so that face-size histograms are
  /// meaningful.
  virtual bool is_mixed() const { return false; }

  /// The terms of the single-sample training objective of a batch.
  /// @param heads the encoder's outputs, one [B, head_sizes()[i]] tensor per head.
  /// @param log_likelihood the decoder's log p(x | latent) of the batch.
  virtual LatentTerms terms(const std::vector<at::Tensor>& heads,
                            const LogLikelihood& log_likelihood) const = 0;
  /// num_samples latents per data point from the posterior, with their log-densities.
  /// @param heads the encoder's outputs.
  /// @param num_samples S, >= 1.
  virtual ImportanceSamples importance_samples(const std::vector<at::Tensor>& heads,
                                               int64_t num_samples) const = 0;
  /// `n` samples from the prior, [n, L].
  virtual at::Tensor prior_samples(int64_t n) const = 0;
};

/// The latent model of config.latent, with config's clamps, temperature and face prior.
///
/// All randomness comes from the global CPU generator, which the trainer seeds and checkpoints (dropout has
/// no generator argument, so one stream for everything is what makes a resumed run identical).
/// @throws c10::Error for an invalid config (config.validate()).
std::unique_ptr<Latent> make_latent(const VaeConfig& config);

}  // namespace mixdist::experiments::vae_mnist
