#pragma once

/// @file
/// @brief The bit-vector VAE model (BitVaeModel): encoder, latent family and decoder, its objective and its
/// NLL estimate.
///
/// The bit-vector VAE (`docs/experiments.md#bit-vector-vae-model`): encoder -> K bits from one of five latent
/// families -> decoder with a 256-way categorical per pixel. Its training objective
/// (`docs/experiments.md#bit-vector-vae-objective-and-training`) is -log p(x | z) - H (the prior's
/// log-density is the same constant for every code, so it has no gradient and is only added back in the ELBO
/// and the rate), and its evaluation estimates log p(x) by importance sampling from the family's proposal.

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/bitvector_vae/latent.h"
#include "mixdist/experiments/bitvector_vae/networks.h"

namespace mixdist::experiments::bitvector_vae {

/// The training objective of one batch, with its per-image terms.
struct BitVaeObjective {
  /// Scalar to minimise: mean over the batch of -log p(x | z) - H.
  at::Tensor loss;
  /// Per image, [B]: log p(x | z) of the sample fed to the decoder (minus the distortion D).
  at::Tensor log_likelihood;
  /// [B]: H, the family's entropy term.
  at::Tensor entropy;
  /// [B]: R = -H - log p(z) (log p(z) the prior's constant), so -ELBO = D + R; without gradient.
  at::Tensor rate;
  /// [B]: latent coordinates exactly 0 or 1 in the sample fed to the decoder (float); without gradient.
  at::Tensor exact_bits;
};

/// The bit-vector VAE: encoder, latent family (make_latent_family) and decoder.
///
/// Registered modules: "encoder" and "decoder" (the latent family has no parameters).
///
/// @code
/// mixdist::experiments::bitvector_vae::BitVaeModel model(config);
/// model->set_temperature(temperature_at(config, step));
/// model->objective(images_u8).loss.backward();
/// @endcode
class BitVaeModelImpl : public torch::nn::Module {
 public:
  /// Parameters are initialised from the global generator (PyTorch's default initialisation); the
  /// temperature starts at temperature_at(config, 0) = 1.
  /// @throws c10::Error for an invalid config (config.validate()).
  explicit BitVaeModelImpl(const BitVaeConfig& config);

  /// Sets the temperature of the relaxed families' samples and proposals (ignored by Gaussian-Sparsemax).
  ///
  /// It is not a parameter or buffer: the run layer sets it from temperature_at(config, step), or to 1 to
  /// reproduce the reference code's evaluation, whose checkpoints did not keep the annealed value.
  /// @throws c10::Error unless temperature is positive and finite.
  void set_temperature(double temperature);
  /// The current temperature.
  double temperature() const { return temperature_; }

  /// The objective of images x_u8 [B, 784] uint8: one sample per image, differentiable.
  /// @throws c10::Error if x_u8 is not [B, 784] uint8.
  BitVaeObjective objective(const at::Tensor& x_u8);
  /// log p^(x) = logsumexp_s [log p(x | z_s) + log p(z_s) - log q(z_s | x)] - log S with z_s from the
  /// family's proposal, [B] nats (double), without gradient. The decoder runs on `chunk` samples at a time
  /// and a running logsumexp combines the chunks, so memory does not grow with num_samples.
  /// @param x_u8 images [B, 784] uint8.
  /// @param num_samples S, >= 1.
  /// @param chunk samples decoded at once, >= 1.
  /// @throws c10::Error for num_samples or chunk < 1, or images that are not [B, 784] uint8.
  /// @throws train::Stopped when a stop is requested (Ctrl-C, SIGTERM), polled before each chunk.
  at::Tensor estimate_log_marginal(const at::Tensor& x_u8, int64_t num_samples, int64_t chunk = 16);
  /// Mean intensity in [0, 1] of every pixel for codes z [N, K]: [N, 784] (for pictures), without gradient.
  at::Tensor decode_mean(const at::Tensor& z);
  /// The training path's sample for each image x_u8 [B, 784] uint8 (no gradient): [B, K].
  at::Tensor posterior_sample(const at::Tensor& x_u8);
  /// n codes from the prior, [n, K].
  /// @throws c10::Error if n < 1.
  at::Tensor prior_sample(int64_t n);
  /// log p(z) of every code: -K log 2 (gs, gs-st), 0 (binary-concrete), -K log 3 (hard-concrete,
  /// gaussian-sparsemax). -ELBO = loss - log_prior_constant() per image.
  double log_prior_constant() const { return latent_->log_prior_constant(); }

  /// The config the model was built from.
  const BitVaeConfig& config() const { return config_; }
  /// The encoder.
  Encoder& encoder() { return encoder_; }
  /// The decoder.
  Decoder& decoder() { return decoder_; }
  /// The latent family.
  const LatentFamily& latent() const { return *latent_; }

 private:
  BitVaeConfig config_;
  std::shared_ptr<LatentFamily> latent_;
  Encoder encoder_{nullptr};
  Decoder decoder_{nullptr};
  double temperature_;
};
/// The module holder of BitVaeModelImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(BitVaeModel);

}  // namespace mixdist::experiments::bitvector_vae
