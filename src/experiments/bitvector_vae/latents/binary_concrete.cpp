// Binary Concrete bits: a continuous latent on (0, 1)^K. The decoder gets a Binary Concrete sample of the
// clamped scores; the entropy is the Monte Carlo estimate -log q(z') of one fresh, differentiable sample z'
// (summed over bits); the prior is Uniform(0, 1)^K, log p = 0. Importance samples come from the same Binary
// Concrete at the model's current temperature, with its density.
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
    const at::Tensor z = relaxed_bit(q.rsample_logit({}, {}));
    return {z, q.entropy_mc(kEntropySamples).sum(-1)};
  }

  ImportanceSamples importance_samples(const at::Tensor& scores, double temperature,
                                       int64_t num_samples) const override {
    const BinaryConcrete q = posterior(scores, temperature);
    // The density at the clamped value, i.e. at the code the decoder scores.
    const at::Tensor z = relaxed_bit(q.rsample_logit({num_samples}, {})).detach();
    const at::Tensor log_q = q.log_prob(z).sum(-1);
    return {z, log_q, at::zeros_like(log_q)};
  }

  double log_prior_constant() const override { return 0.0; }

  at::Tensor prior_sample(int64_t n) const override { return at::rand({n, K_}, at::kFloat); }

 private:
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
