// Binary Concrete bits: a continuous latent on (0, 1)^K. The decoder gets a Binary Concrete sample of the
// clamped scores; the entropy is the Monte Carlo estimate -log q(z') of one fresh, differentiable sample z'
// (summed over bits); the prior is Uniform(0, 1)^K, log p = 0. Importance samples come from the same Binary
// Concrete at the model's current temperature, with its density. Samples are kept inside [eps, 1 - eps] of
// float (relaxed_bit) and densities are evaluated at the kept value, as torch's RelaxedBernoulli does.
#include "mixdist/distributions/binary_concrete.h"
#include "latents.h"

namespace mixdist::experiments::bitvector_vae::latents {
namespace {

constexpr int64_t kEntropySamples = 1;

class BinaryConcreteLatent final : public LatentFamily {
 public:
  explicit BinaryConcreteLatent(const BitVaeConfig& c) : K_(c.latent_bits), clamp_(c.logit_clamp) {}

  LatentSample sample(const at::Tensor& scores, double temperature) const override {
    const BinaryConcrete q = posterior(scores, temperature);
    const at::Tensor z = draw(q, {});
    // -log q at a fresh sample, clamped like the decoder's codes, so that the entropy term and the
    // importance weights evaluate the same density where a sigmoid saturates.
    const at::Tensor entropy = -q.log_prob(draw(q, {kEntropySamples})).mean(0).sum(-1);
    return {z, entropy};
  }

  ImportanceSamples importance_samples(const at::Tensor& scores, double temperature,
                                       int64_t num_samples) const override {
    const BinaryConcrete q = posterior(scores, temperature);
    const at::Tensor z = draw(q, {num_samples}).detach();
    const at::Tensor log_q = q.log_prob(z).sum(-1);
    return {z, log_q, at::zeros_like(log_q)};
  }

  double log_prior_constant() const override { return 0.0; }

  at::Tensor prior_sample(int64_t n) const override { return at::rand({n, K_}, at::kFloat); }

 private:
  // A reparameterised sample, kept inside (0, 1) as the decoder's codes are.
  static at::Tensor draw(const BinaryConcrete& q, at::IntArrayRef sample_shape) {
    return relaxed_bit(q.rsample_logit(sample_shape, c10::nullopt));
  }

  BinaryConcrete posterior(const at::Tensor& scores, double temperature) const {
    return BinaryConcrete(scores.clamp(-clamp_, clamp_), temperature);
  }

  int64_t K_;
  double clamp_;
};

}  // namespace

std::unique_ptr<LatentFamily> make_binary_concrete(const BitVaeConfig& config) {
  return std::make_unique<BinaryConcreteLatent>(config);
}

}  // namespace mixdist::experiments::bitvector_vae::latents
