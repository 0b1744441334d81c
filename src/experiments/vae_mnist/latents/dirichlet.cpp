// Dirichlet: z in the simplex's interior, prior Dir(1), posterior Dir(clamp(softplus(.), 1e-3, 1e3)), exact
// KL, implicit reparameterisation through the Gamma sampler.
#include "mixdist/distributions/dirichlet.h"
#include "latents.h"

namespace mixdist::experiments::vae_mnist::latents {
namespace {

class DirichletLatent final : public Latent {
 public:
  explicit DirichletLatent(const VaeConfig& c)
      : L_(c.latent_dim), lo_(c.concentration_min), hi_(c.concentration_max) {}

  std::vector<int64_t> head_sizes() const override { return {L_}; }
  bool head_dropout() const override { return false; }

  LatentTerms terms(const std::vector<at::Tensor>& heads, const LogLikelihood& ll) const override {
    const at::Tensor alpha = concentration(heads);
    const Dirichlet q(alpha);
    const at::Tensor z = q.rsample();
    const at::Tensor zero = at::zeros({z.size(0)}, z.options());
    const at::Tensor kl = kl_divergence(q, Dirichlet(at::ones_like(alpha)));
    return {ll(z), zero, zero, kl, zero, at::full({z.size(0)}, static_cast<double>(L_), z.options())};
  }

  ImportanceSamples importance_samples(const std::vector<at::Tensor>& heads, int64_t S) const override {
    const at::Tensor alpha = concentration(heads).expand({S, heads[0].size(0), L_}).contiguous();
    // Scored from log z, not z: with concentrations near 1e-3 a float coordinate underflows to 0 and
    // (alpha - 1) log z would be +inf, while log z itself stays finite.
    const at::Tensor log_z = dirichlet_log_sample(alpha, c10::nullopt);
    const at::Tensor log_q =
        at::lgamma(alpha.sum(-1)) - at::lgamma(alpha).sum(-1) + ((alpha - 1) * log_z).sum(-1);
    const at::Tensor log_prior = at::full_like(log_q, std::lgamma(static_cast<double>(L_)));  // log (L-1)!
    return {log_z.exp(), log_q, log_prior};
  }

  at::Tensor prior_samples(int64_t n) const override { return Dirichlet(at::ones({n, L_})).sample(); }

 private:
  at::Tensor concentration(const std::vector<at::Tensor>& heads) const {
    return at::softplus(heads.at(0)).clamp(lo_, hi_);
  }
  int64_t L_;
  double lo_, hi_;
};

}  // namespace

std::unique_ptr<Latent> make_dirichlet(const VaeConfig& config) {
  return std::make_unique<DirichletLatent>(config);
}

}  // namespace mixdist::experiments::vae_mnist::latents
