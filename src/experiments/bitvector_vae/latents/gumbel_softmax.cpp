// Gumbel-Softmax bits (and their straight-through variant): the decoder gets a Binary Concrete sample
// sigmoid((score + logistic noise) / tau) of each bit (straight-through: the hard value 1[score > 0] of the
// score itself, not of the noisy sample, with the gradient of the relaxed sample), while the objective's
// entropy and the prior are those of Bernoulli bits: exact Bernoulli(sigmoid(score)) entropy, Bernoulli(1/2)
// prior. The evaluation treats the model as a discrete bit-vector VAE: importance samples are Bernoulli bits
// with their pmf.
#include <cmath>

#include "latents.h"
#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/binary_concrete.h"

namespace mixdist::experiments::bitvector_vae::latents {
namespace {

class GumbelSoftmaxLatent final : public LatentFamily {
 public:
  GumbelSoftmaxLatent(const BitVaeConfig& c, bool straight_through)
      : K_(c.latent_bits), straight_through_(straight_through) {}

  LatentSample sample(const at::Tensor& scores, double temperature) const override {
    const at::Tensor relaxed =
        relaxed_bit(BinaryConcrete(scores, temperature).rsample_logit({}, c10::nullopt));
    at::Tensor z = relaxed;
    if (straight_through_) {
      // hard + (y - y.detach()): the forward value is exactly 0 or 1 (y - y is an exact 0), the gradient is
      // the relaxed sample's.
      const at::Tensor hard = scores.detach().gt(0).to(scores.scalar_type());
      z = hard + (relaxed - relaxed.detach());
    }
    return {z, Bernoulli(scores).entropy().sum(-1)};
  }

  ImportanceSamples importance_samples(const at::Tensor& scores, double /*temperature*/,
                                       int64_t num_samples) const override {
    const Bernoulli q(scores);
    const at::Tensor z = q.sample({num_samples});
    const at::Tensor log_q = q.log_prob(z).sum(-1);
    return {z, log_q, at::full_like(log_q, log_prior_constant())};
  }

  double log_prior_constant() const override { return -static_cast<double>(K_) * std::log(2.0); }

  at::Tensor prior_sample(int64_t n) const override {
    return at::randint(0, 2, {n, K_}, at::kLong).to(at::kFloat);
  }

 private:
  int64_t K_;
  bool straight_through_;
};

}  // namespace

std::unique_ptr<LatentFamily> make_gumbel_softmax(const BitVaeConfig& config, bool straight_through) {
  return std::make_unique<GumbelSoftmaxLatent>(config, straight_through);
}

}  // namespace mixdist::experiments::bitvector_vae::latents
