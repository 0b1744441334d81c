#pragma once

// The bit-vector VAE: encoder -> K bits from one of five latent families -> decoder with a 256-way
// categorical per pixel. Its training objective is -log p(x | z) - H (the prior's log-density is the same
// constant for every code, so it has no gradient and is only added back in the ELBO and the rate), and its
// evaluation estimates log p(x) by importance sampling from the family's proposal.

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/bitvector_vae/latent.h"
#include "mixdist/experiments/bitvector_vae/networks.h"

namespace mixdist::experiments::bitvector_vae {

struct BitVaeObjective {
  at::Tensor loss;  // scalar to minimise: mean over the batch of -log p(x | z) - H
  // Per image, [B]:
  at::Tensor log_likelihood;  // log p(x | z) of the sample fed to the decoder (minus the distortion D)
  at::Tensor entropy;         // H, the family's entropy term
  at::Tensor rate;            // R = -H - log p(z) (log p(z) the prior's constant): -ELBO = D + R
  at::Tensor exact_bits;      // latent coordinates exactly 0 or 1 in the sample fed to the decoder (float)
};

class BitVaeModelImpl : public torch::nn::Module {
 public:
  // Parameters are initialised from the global generator (PyTorch's default initialisation); the temperature
  // starts at temperature_at(config, 0) = 1.
  explicit BitVaeModelImpl(const BitVaeConfig& config);

  // The temperature of the relaxed families' samples and proposals (ignored by Gaussian-Sparsemax). It is not
  // a parameter or buffer: the run layer sets it from temperature_at(config, step), or to 1 to reproduce the
  // reference code's evaluation, whose checkpoints did not keep the annealed value.
  void set_temperature(double temperature);
  double temperature() const { return temperature_; }

  // x_u8: images [B, 784] uint8. One sample per image, differentiable.
  BitVaeObjective objective(const at::Tensor& x_u8);
  // log p^(x) = logsumexp_s [log p(x | z_s) + log p(z_s) - log q(z_s | x)] - log S with z_s from the family's
  // proposal, [B] nats (double), without gradient. The decoder runs on `chunk` samples at a time and a
  // running logsumexp combines the chunks, so memory does not grow with num_samples.
  at::Tensor estimate_log_marginal(const at::Tensor& x_u8, int64_t num_samples, int64_t chunk = 16);
  // Mean intensity in [0, 1] of every pixel for codes z [N, K]: [N, 784] (for pictures).
  at::Tensor decode_mean(const at::Tensor& z);
  // The training path's sample for each image (no gradient): [B, K].
  at::Tensor posterior_sample(const at::Tensor& x_u8);
  // n codes from the prior, [n, K].
  at::Tensor prior_sample(int64_t n);
  // log p(z) of every code: -K log 2 (gs, gs-st), 0 (binary-concrete), -K log 3 (hard-concrete,
  // gaussian-sparsemax). -ELBO = loss - log_prior_constant() per image.
  double log_prior_constant() const { return latent_->log_prior_constant(); }

  const BitVaeConfig& config() const { return config_; }
  Encoder& encoder() { return encoder_; }
  Decoder& decoder() { return decoder_; }
  const LatentFamily& latent() const { return *latent_; }

 private:
  BitVaeConfig config_;
  std::shared_ptr<LatentFamily> latent_;
  Encoder encoder_{nullptr};
  Decoder decoder_{nullptr};
  double temperature_;
};
TORCH_MODULE(BitVaeModel);

}  // namespace mixdist::experiments::bitvector_vae
