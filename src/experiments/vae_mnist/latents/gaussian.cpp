// Gaussian: z in R^L, prior N(0, I), posterior N(loc, softplus(s)), exact KL, reparameterisation.
#include "latents.h"
#include "mixdist/distributions/normal.h"

namespace mixdist::experiments::vae_mnist::latents {
namespace {

class GaussianLatent final : public Latent {
 public:
  explicit GaussianLatent(const VaeConfig& c) : L_(c.latent_dim) {}

  std::vector<int64_t> head_sizes() const override { return {2 * L_}; }
  bool head_dropout() const override { return false; }

  LatentTerms terms(const std::vector<at::Tensor>& heads, const LogLikelihood& ll) const override {
    const Normal q = posterior(heads);
    const at::Tensor z = q.rsample();
    const at::Tensor zero = at::zeros({z.size(0)}, z.options());
    const at::Tensor kl = kl_divergence(q, prior_like(z)).sum(-1);
    return {ll(z), zero, zero, kl, zero, at::full({z.size(0)}, static_cast<double>(L_), z.options())};
  }

  ImportanceSamples importance_samples(const std::vector<at::Tensor>& heads, int64_t S) const override {
    const Normal q = posterior(heads);
    const at::Tensor z = q.sample({S});
    return {z, q.log_prob(z).sum(-1), prior_like(z).log_prob(z).sum(-1)};
  }

  at::Tensor prior_samples(int64_t n) const override { return at::randn({n, L_}); }

 private:
  Normal posterior(const std::vector<at::Tensor>& heads) const {
    const auto parts = heads.at(0).split(L_, -1);
    return Normal(parts[0], at::softplus(parts[1]));
  }
  static Normal prior_like(const at::Tensor& z) { return Normal(at::zeros_like(z), at::ones_like(z)); }

  int64_t L_;
};

}  // namespace

std::unique_ptr<Latent> make_gaussian(const VaeConfig& config) {
  return std::make_unique<GaussianLatent>(config);
}

}  // namespace mixdist::experiments::vae_mnist::latents
