// Mixed Dirichlet (intrinsic mixed latent): F ~ GibbsFaces(scores clamped to [-10, 10]), Y | F ~ Dir(clamp(
// softplus(.), 1e-3, 1e3)) on the face; prior MaxEntropyFaces(L, 0) x Dir(1) on the face. KL_F exact,
// KL_{Y|f} exact at the sampled face; the face is trained by the score function with the resample
// ("self-critic") baseline, the within-face sample pathwise (docs/math.md#gradient-estimators).
#include "mixdist/distributions/mixed_dirichlet.h"
#include "latents.h"
#include "mixdist/distributions/masked_dirichlet.h"
#include "mixdist/distributions/mixed_max_ent_dirichlet_prior.h"
#include "mixdist/distributions/score_function.h"

namespace mixdist::experiments::vae_mnist::latents {
namespace {

class MixedDirichletLatent final : public Latent {
 public:
  explicit MixedDirichletLatent(const VaeConfig& c)
      : L_(c.latent_dim),
        clamp_(c.logit_clamp),
        lo_(c.concentration_min),
        hi_(c.concentration_max),
        prior_(c.latent_dim, 0.0, face_prior_variant(c), at::kFloat) {}

  std::vector<int64_t> head_sizes() const override { return {L_, L_}; }
  bool head_dropout() const override { return true; }
  bool is_mixed() const override { return true; }

  LatentTerms terms(const std::vector<at::Tensor>& heads, const LogLikelihood& ll) const override {
    const MixedDirichlet q = posterior(heads);
    const at::Tensor alpha = q.concentration();
    const at::Tensor ones = at::ones_like(alpha);
    const FacedSample s = q.rsample_with_face();
    const at::Tensor log_likelihood = ll(s.value);
    const at::Tensor kl_face = kl_divergence(q.face_law(), prior_.face_law());
    const at::Tensor kl_within = masked_dirichlet_kl(s.face, alpha, ones);
    at::Tensor baseline;
    {
      // The critic: an independent resample scored the same way, without gradient.
      at::NoGradGuard no_grad;
      const FacedSample r = q.sample_with_face();
      baseline = ll(r.value) - masked_dirichlet_kl(r.face, alpha, ones);
    }
    const at::Tensor reward = log_likelihood - kl_within;
    const at::Tensor surrogate = score_function_surrogate(q.face_law().log_prob(s.face), reward, baseline);
    return {log_likelihood,          kl_face,   kl_within,
            at::zeros_like(kl_face), surrogate, s.face.sum(-1).to(alpha.scalar_type())};
  }

  ImportanceSamples importance_samples(const std::vector<at::Tensor>& heads, int64_t S) const override {
    const MixedDirichlet q = posterior(heads);
    const FacedSample s = q.sample_with_face({S});
    return {s.value, q.log_prob(s.value, s.face), prior_.log_prob(s.value, s.face)};
  }

  at::Tensor prior_samples(int64_t n) const override { return prior_.sample({n}); }

 private:
  MixedDirichlet posterior(const std::vector<at::Tensor>& heads) const {
    return MixedDirichlet(MixedDirichletOptions()
                              .scores(heads.at(0).clamp(-clamp_, clamp_))
                              .concentration(at::softplus(heads.at(1)).clamp(lo_, hi_)));
  }

  int64_t L_;
  double clamp_, lo_, hi_;
  MixedMaxEntDirichletPrior prior_;
};

}  // namespace

std::unique_ptr<Latent> make_mixed_dirichlet(const VaeConfig& config) {
  return std::make_unique<MixedDirichletLatent>(config);
}

}  // namespace mixdist::experiments::vae_mnist::latents
