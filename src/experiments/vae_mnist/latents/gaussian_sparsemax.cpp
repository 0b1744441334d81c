// Gaussian-Sparsemax (extrinsic mixed latent): z = sparsemax(loc + scale * eps) with loc clamped to
// [-100, 100] and scale = clamp(softplus(.), 1e-3, 1e3); prior MaxEntropyFaces(L, 0) x Dir(1) on the face;
// KL by Monte Carlo over independent samples (not the reconstruction sample), differentiated through both the
// sample and log q, as in the reference code (docs/experiments.md#mnist-vae-the-six-latent-models,
// docs/math.md#gradient-estimators). Log-densities use adaptive Gauss-Kronrod quadrature to
// config.gsp_quadrature_tolerance instead of the authors' fixed 1000-point grid.
#include "mixdist/distributions/gaussian_sparsemax.h"
#include "latents.h"
#include "mixdist/distributions/mixed_max_ent_dirichlet_prior.h"

namespace mixdist::experiments::vae_mnist::latents {
namespace {

class GaussianSparsemaxLatent final : public Latent {
 public:
  explicit GaussianSparsemaxLatent(const VaeConfig& c)
      : L_(c.latent_dim),
        loc_clamp_(c.loc_clamp),
        scale_min_(c.scale_min),
        scale_max_(c.scale_max),
        kl_samples_(c.gsp_kl_samples),
        options_(GaussianSparsemaxOptions().quadrature_tolerance(c.gsp_quadrature_tolerance)),
        prior_(c.latent_dim, 0.0, face_prior_variant(c), at::kFloat) {}

  std::vector<int64_t> head_sizes() const override { return {2 * L_}; }
  bool head_dropout() const override { return false; }
  bool is_mixed() const override { return true; }

  LatentTerms terms(const std::vector<at::Tensor>& heads, const LogLikelihood& ll) const override {
    const GaussianSparsemax q = posterior(heads);
    const at::Tensor z = q.rsample();
    const at::Tensor z_kl = q.rsample({kl_samples_});
    const at::Tensor kl = (q.log_prob(z_kl) - prior_.log_prob(z_kl)).mean(0);
    const at::Tensor zero = at::zeros({z.size(0)}, z.options());
    return {ll(z), zero, zero, kl, zero, z.gt(0).sum(-1).to(z.scalar_type())};
  }

  ImportanceSamples importance_samples(const std::vector<at::Tensor>& heads, int64_t S) const override {
    const GaussianSparsemax q = posterior(heads);
    const at::Tensor z = q.sample({S});
    return {z, q.log_prob(z), prior_.log_prob(z)};
  }

  at::Tensor prior_samples(int64_t n) const override { return prior_.sample({n}); }

 private:
  GaussianSparsemax posterior(const std::vector<at::Tensor>& heads) const {
    const auto parts = heads.at(0).split(L_, -1);
    return GaussianSparsemax(parts[0].clamp(-loc_clamp_, loc_clamp_),
                             at::softplus(parts[1]).clamp(scale_min_, scale_max_), options_);
  }

  int64_t L_;
  double loc_clamp_, scale_min_, scale_max_;
  int64_t kl_samples_;
  GaussianSparsemaxOptions options_;
  MixedMaxEntDirichletPrior prior_;
};

}  // namespace

std::unique_ptr<Latent> make_gaussian_sparsemax(const VaeConfig& config) {
  return std::make_unique<GaussianSparsemaxLatent>(config);
}

}  // namespace mixdist::experiments::vae_mnist::latents
