#pragma once

// The MNIST VAE (docs/experiments.md#the-mnist-mixed-latent-vae): encoder -> latent model -> decoder, its
// single-sample training objective (docs/experiments.md#mnist-vae-objective), and the importance-sampled
// log-likelihood and D / R diagnostics of the evaluation (docs/experiments.md#mnist-vae-evaluation).

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "mixdist/experiments/vae_mnist/config.h"
#include "mixdist/experiments/vae_mnist/latent.h"
#include "mixdist/experiments/vae_mnist/networks.h"

namespace mixdist::experiments::vae_mnist {

constexpr int64_t kImagePixels = 784;

struct Objective {
  at::Tensor loss;  // scalar to minimise: -mean(log p(x|z) - KL + score-function surrogate)
  LatentTerms terms;
};

class VaeModelImpl : public torch::nn::Module {
 public:
  explicit VaeModelImpl(const VaeConfig& config);

  // x: binarised images [B, 784].
  Objective objective(const at::Tensor& x);
  // log p^(x) = logsumexp_s [log p(x|z_s) + log p(z_s) - log q(z_s|x)] - log S, z_s ~ q(.|x), [B]; drawn in
  // chunks of at most `chunk` samples so memory stays bounded for S = 1000 (and small temporaries stay fast).
  at::Tensor estimate_log_marginal(const at::Tensor& x, int64_t num_samples, int64_t chunk = 10);
  // Bernoulli means sigmoid(decoder(latent)), [..., 784].
  at::Tensor decode_mean(const at::Tensor& latent);
  // One posterior sample per image (for reconstructions and face-size histograms), [B, L].
  at::Tensor posterior_sample(const at::Tensor& x);

  Encoder& encoder() { return encoder_; }
  Decoder& decoder() { return decoder_; }
  const Latent& latent() const { return *latent_; }

 private:
  std::shared_ptr<Latent> latent_;
  Encoder encoder_{nullptr};
  Decoder decoder_{nullptr};
};
TORCH_MODULE(VaeModel);

}  // namespace mixdist::experiments::vae_mnist
