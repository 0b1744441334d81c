#pragma once

// A latent model of the MNIST VAE: the posterior family built from the encoder's heads, its fixed prior, and
// the gradient estimator of docs/experiments.md#mnist-vae-the-six-latent-models. One implementation per
// latent type (src/experiments/ vae_mnist/latents/), so the VAE itself never branches on the type (the EGG
// habit of separating the game from the channel). All log-densities are w.r.t. the same base measure as the
// prior's (the direct-sum measure for the mixed latents), so importance weights p/q are valid across faces.

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <vector>

#include "mixdist/experiments/vae_mnist/config.h"

namespace mixdist::experiments::vae_mnist {

// log p(x | latent) of the batch x [B, 784] under the decoder.
struct LogLikelihood {
  // Latents [..., B, L] -> [..., B].
  std::function<at::Tensor(const at::Tensor& latent)> of_latents;
  // K codes [K, L] shared by every data point -> [B, K]. The decoder has no dropout, so its output depends on
  // the code only: it runs once per code instead of once per code and data point (the Categorical model's
  // exact marginalisation and the one-hot models' importance samples).
  std::function<at::Tensor(const at::Tensor& codes)> of_codes;
  at::Tensor operator()(const at::Tensor& latent) const { return of_latents(latent); }
};

// Per-data-point terms of one single-sample training objective, each [B].
struct LatentTerms {
  at::Tensor log_likelihood;  // log p(x | latent) (Categorical: its exact expectation under q)
  at::Tensor kl_face;         // KL(q_F || p_F): the face law (Mixed Dirichlet) or the class law (discrete)
  at::Tensor kl_within;       // KL(q_{Y|f} || p_{Y|f}) at the sampled face (Mixed Dirichlet)
  at::Tensor kl_z;          // KL of a continuous latent (closed form, or Monte Carlo for Gaussian-Sparsemax)
  at::Tensor surrogate;     // score-function surrogate added to the objective (0 where unused)
  at::Tensor support_size;  // nonzeros of the sampled latent (L for dense latents)

  at::Tensor rate() const { return kl_face + kl_within + kl_z; }
};

// num_samples latents per data point drawn from q (no gradient), with log q and log p of each, [S, B].
struct ImportanceSamples {
  at::Tensor latent;  // [S, B, L]
  at::Tensor log_q, log_prior;
  // Set by latents with finitely many values: latent[s, b] = codes[code_index[s, b]], so the likelihood can
  // be read from a [B, K] table (LogLikelihood::of_codes).
  at::Tensor codes = {};       // [K, L]
  at::Tensor code_index = {};  // [S, B], int64
};

class Latent {
 public:
  virtual ~Latent() = default;
  // Output sizes of the encoder heads, and whether each head gets its own dropout (face-and-Y encoder).
  virtual std::vector<int64_t> head_sizes() const = 0;
  virtual bool head_dropout() const = 0;
  // Sparse latents (Gaussian-Sparsemax, Mixed Dirichlet): face-size histograms are meaningful.
  virtual bool is_mixed() const { return false; }

  virtual LatentTerms terms(const std::vector<at::Tensor>& heads,
                            const LogLikelihood& log_likelihood) const = 0;
  virtual ImportanceSamples importance_samples(const std::vector<at::Tensor>& heads,
                                               int64_t num_samples) const = 0;
  virtual at::Tensor prior_samples(int64_t n) const = 0;  // [n, L]
};

// All randomness comes from the global CPU generator, which the trainer seeds and checkpoints (dropout has
// no generator argument, so one stream for everything is what makes a resumed run identical).
std::unique_ptr<Latent> make_latent(const VaeConfig& config);

}  // namespace mixdist::experiments::vae_mnist
