#include "mixdist/experiments/vae_mnist/vae.h"

#include <ATen/ATen.h>

#include <cmath>

#include "mixdist/train/stop_signal.h"

namespace mixdist::experiments::vae_mnist {

VaeModelImpl::VaeModelImpl(const VaeConfig& config) : latent_(make_latent(config)) {
  encoder_ = register_module("encoder", Encoder(kImagePixels, config.hidden, latent_->head_sizes(),
                                                config.inf_dropout, latent_->head_dropout()));
  decoder_ = register_module("decoder", Decoder(config.latent_dim, config.hidden, kImagePixels));
}

Objective VaeModelImpl::objective(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == kImagePixels, "VaeModel::objective: x must be [B, ", kImagePixels,
              "], got ", x.sizes());
  const std::vector<at::Tensor> heads = encoder_->forward(x);
  const LogLikelihood log_likelihood{
      [&](const at::Tensor& z) { return decoder_->log_likelihood(x, z); },
      [&](const at::Tensor& codes) { return decoder_->log_likelihood_of_codes(x, codes); }};
  LatentTerms t = latent_->terms(heads, log_likelihood);
  at::Tensor loss = -(t.log_likelihood - t.rate() + t.surrogate).mean();
  return {loss, std::move(t)};
}

at::Tensor VaeModelImpl::estimate_log_marginal(const at::Tensor& x, int64_t num_samples, int64_t chunk) {
  TORCH_CHECK(num_samples >= 1, "estimate_log_marginal: num_samples must be >= 1, got ", num_samples);
  TORCH_CHECK(chunk >= 1, "estimate_log_marginal: chunk must be >= 1, got ", chunk);
  at::NoGradGuard no_grad;
  const std::vector<at::Tensor> heads = encoder_->forward(x);
  // A running logsumexp over chunks: memory is O(chunk * B * 784), whatever num_samples is.
  at::Tensor acc;
  for (int64_t done = 0; done < num_samples; done += chunk) {
    // Polled per chunk: one batch of a 1000-sample evaluation takes seconds, a stop must not.
    train::StopSignal::throw_if_requested("an importance-sampling evaluation");
    const ImportanceSamples s = latent_->importance_samples(heads, std::min(chunk, num_samples - done));
    const at::Tensor log_px = s.code_index.defined()
                                  ? decoder_->log_likelihood_of_codes(x, s.codes).t().gather(0, s.code_index)
                                  : decoder_->log_likelihood(x, s.latent);
    const at::Tensor log_w = (log_px + s.log_prior - s.log_q).to(at::kDouble);
    const at::Tensor part = at::logsumexp(log_w, 0);
    acc = acc.defined() ? at::logaddexp(acc, part) : part;
  }
  return acc - std::log(static_cast<double>(num_samples));
}

at::Tensor VaeModelImpl::decode_mean(const at::Tensor& latent) {
  return at::sigmoid(decoder_->forward(latent));
}

at::Tensor VaeModelImpl::posterior_sample(const at::Tensor& x) {
  at::NoGradGuard no_grad;
  return latent_->importance_samples(encoder_->forward(x), 1).latent.squeeze(0);
}

}  // namespace mixdist::experiments::vae_mnist
