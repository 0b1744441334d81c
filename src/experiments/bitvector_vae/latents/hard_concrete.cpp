// Hard Concrete bits: a Binary Concrete sample of the clamped scores stretched to (-0.1, 1.1) and clipped
// to [0, 1], so each bit is exactly 0, exactly 1, or inside. The entropy is the Monte Carlo average of
// -log q over two fresh, differentiable samples (summed over bits), with the exact mixed log-density w.r.t.
// the direct-sum measure (the reference code's 1e-4 offsets are left out). Prior per bit: 1/3 at 0, 1/3 at
// 1, density 1/3 inside, so log p(z) = -K log 3 for every code. Importance samples come from the same Hard
// Concrete at the model's current temperature.
#include <cmath>

#include "latents.h"
#include "mixdist/distributions/hard_concrete.h"

namespace mixdist::experiments::bitvector_vae::latents {
namespace {

constexpr int64_t kEntropySamples = 2;

class HardConcreteLatent final : public LatentFamily {
 public:
  explicit HardConcreteLatent(const BitVaeConfig& c) : K_(c.latent_bits), clamp_(c.logit_clamp) {}

  LatentSample sample(const at::Tensor& scores, double temperature) const override {
    const HardConcrete q = posterior(scores, temperature);
    return {q.rsample(), q.entropy_mc(kEntropySamples).value.sum(-1)};
  }

  ImportanceSamples importance_samples(const at::Tensor& scores, double temperature,
                                       int64_t num_samples) const override {
    const HardConcrete q = posterior(scores, temperature);
    const at::Tensor z = q.sample({num_samples});
    const at::Tensor log_q = q.log_prob(z).sum(-1);
    return {z, log_q, at::full_like(log_q, log_prior_constant())};
  }

  double log_prior_constant() const override { return -static_cast<double>(K_) * std::log(3.0); }

  at::Tensor prior_sample(int64_t n) const override { return mixed_prior_sample(n, K_); }

 private:
  HardConcrete posterior(const at::Tensor& scores, double temperature) const {
    return HardConcrete(scores.clamp(-clamp_, clamp_), temperature);
  }

  int64_t K_;
  double clamp_;
};

}  // namespace

std::unique_ptr<LatentFamily> make_hard_concrete(const BitVaeConfig& config) {
  return std::make_unique<HardConcreteLatent>(config);
}

}  // namespace mixdist::experiments::bitvector_vae::latents
