#pragma once

/// @file
/// @brief The MNIST VAE model (VaeModel): encoder, latent model and decoder, its objective and its NLL
/// estimate.
///
/// The MNIST VAE (`docs/experiments.md#the-mnist-mixed-latent-vae`): encoder -> latent model -> decoder, its
/// single-sample training objective (`docs/experiments.md#mnist-vae-objective`), and the importance-sampled
/// log-likelihood and D / R diagnostics of the evaluation (`docs/experiments.md#mnist-vae-evaluation`).

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "mixdist/experiments/vae_mnist/config.h"
#include "mixdist/experiments/vae_mnist/latent.h"
#include "mixdist/experiments/vae_mnist/networks.h"

namespace mixdist::experiments::vae_mnist {

/// Pixels of an MNIST image (28 x 28).
constexpr int64_t kImagePixels = 784;

/// The training objective of one batch.
struct Objective {
  /// Scalar to minimise: -mean(log p(x|z) - KL + score-function surrogate).
  at::Tensor loss;
  /// The per-image terms it is made of.
  LatentTerms terms;
};

/// The MNIST VAE: encoder, latent model (make_latent) and decoder.
///
/// Registered modules: "encoder" and "decoder" (the latent model has no parameters). Parameters are
/// initialised from the global generator.
///
/// @code
/// mixdist::experiments::vae_mnist::VaeModel model(config);
/// model->objective(binarize(images)).loss.backward();
/// @endcode
class VaeModelImpl : public torch::nn::Module {
 public:
  /// Builds the networks and the latent model of config.latent.
  /// @throws c10::Error for an invalid config (config.validate()).
  explicit VaeModelImpl(const VaeConfig& config);

  /// The single-sample objective of binarised images x [B, 784] (differentiable).
  /// @throws c10::Error if x is not [B, 784].
  Objective objective(const at::Tensor& x);
  /// log p^(x) = logsumexp_s [log p(x|z_s) + log p(z_s) - log q(z_s|x)] - log S, z_s ~ q(.|x), [B] double,
  /// without gradient; drawn in chunks of at most `chunk` samples so memory stays bounded for S = 1000 (and
  /// small temporaries stay fast).
  /// @param x binarised images [B, 784].
  /// @param num_samples S, >= 1.
  /// @param chunk samples drawn and decoded at once, >= 1.
  /// @throws c10::Error for num_samples or chunk < 1.
  /// @throws train::Stopped when a stop is requested (Ctrl-C, SIGTERM), polled before each chunk.
  at::Tensor estimate_log_marginal(const at::Tensor& x, int64_t num_samples, int64_t chunk = 10);
  /// Bernoulli means sigmoid(decoder(latent)), [..., 784], for latents [..., L].
  at::Tensor decode_mean(const at::Tensor& latent);
  /// One posterior sample per image (for reconstructions and face-size histograms), [B, L], without
  /// gradient.
  at::Tensor posterior_sample(const at::Tensor& x);

  /// The encoder.
  Encoder& encoder() { return encoder_; }
  /// The decoder.
  Decoder& decoder() { return decoder_; }
  /// The latent model.
  const Latent& latent() const { return *latent_; }

 private:
  std::shared_ptr<Latent> latent_;
  Encoder encoder_{nullptr};
  Decoder decoder_{nullptr};
};
/// The module holder of VaeModelImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(VaeModel);

}  // namespace mixdist::experiments::vae_mnist
