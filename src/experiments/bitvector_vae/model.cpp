#include "mixdist/experiments/bitvector_vae/model.h"

#include <algorithm>
#include <cmath>

#include "mixdist/train/stop_signal.h"

namespace mixdist::experiments::bitvector_vae {

BitVaeModelImpl::BitVaeModelImpl(const BitVaeConfig& config)
    : config_(config), latent_(make_latent_family(config)), temperature_(temperature_at(config, 0)) {
  encoder_ = register_module("encoder", Encoder(config.hidden, config.latent_bits));
  decoder_ = register_module("decoder", Decoder(config.latent_bits, config.hidden, config.out_rank));
}

void BitVaeModelImpl::set_temperature(double temperature) {
  TORCH_CHECK(std::isfinite(temperature) && temperature > 0,
              "BitVaeModel::set_temperature: the temperature must be positive and finite, got ", temperature);
  temperature_ = temperature;
}

BitVaeObjective BitVaeModelImpl::objective(const at::Tensor& x_u8) {
  const at::Tensor scores = encoder_->forward(x_u8);
  const LatentSample s = latent_->sample(scores, temperature_);
  BitVaeObjective o;
  o.log_likelihood = decoder_->log_likelihood(x_u8, s.z);
  o.entropy = s.entropy;
  o.loss = (-o.log_likelihood - o.entropy).mean();
  {
    at::NoGradGuard no_grad;
    o.rate = -s.entropy.detach() - latent_->log_prior_constant();
    o.exact_bits = (s.z.eq(0) | s.z.eq(1)).sum(-1).to(s.z.scalar_type());
  }
  return o;
}

at::Tensor BitVaeModelImpl::estimate_log_marginal(const at::Tensor& x_u8, int64_t num_samples,
                                                  int64_t chunk) {
  TORCH_CHECK(num_samples >= 1, "estimate_log_marginal: num_samples must be >= 1, got ", num_samples);
  TORCH_CHECK(chunk >= 1, "estimate_log_marginal: chunk must be >= 1, got ", chunk);
  at::NoGradGuard no_grad;
  const at::Tensor scores = encoder_->forward(x_u8);
  at::Tensor acc;
  for (int64_t done = 0; done < num_samples; done += chunk) {
    // Polled per chunk: one batch of a 1000-sample evaluation takes seconds, a stop must not.
    train::StopSignal::throw_if_requested("an importance-sampling evaluation");
    const ImportanceSamples s =
        latent_->importance_samples(scores, temperature_, std::min(chunk, num_samples - done));
    const at::Tensor log_px = decoder_->log_likelihood(x_u8, s.z);  // [s, B]
    // Double for the sum of three terms of ~10^3 nats that nearly cancel.
    const at::Tensor log_w = log_px.to(at::kDouble) + s.log_prior.to(at::kDouble) - s.log_q.to(at::kDouble);
    const at::Tensor part = at::logsumexp(log_w, 0);
    acc = acc.defined() ? at::logaddexp(acc, part) : part;
  }
  return acc - std::log(static_cast<double>(num_samples));
}

at::Tensor BitVaeModelImpl::decode_mean(const at::Tensor& z) {
  at::NoGradGuard no_grad;
  return decoder_->mean_intensity(z);
}

at::Tensor BitVaeModelImpl::posterior_sample(const at::Tensor& x_u8) {
  at::NoGradGuard no_grad;
  return latent_->sample(encoder_->forward(x_u8), temperature_).z;
}

at::Tensor BitVaeModelImpl::prior_sample(int64_t n) {
  TORCH_CHECK(n >= 1, "BitVaeModel::prior_sample: n must be >= 1, got ", n);
  return latent_->prior_sample(n);
}

}  // namespace mixdist::experiments::bitvector_vae
