// Gaussian-Sparsemax bits: per bit the first coordinate of sparsemax([l, 1 - l] + std (n1, n2)), which is
// clip(l + std (n1 - n2) / 2, 0, 1), i.e. ClippedGaussian(l, std / sqrt 2): exactly 0, exactly 1, or inside.
// Entropy in closed form (mixed, w.r.t. the direct-sum measure), prior 1/3 at 0, 1/3 at 1, density 1/3
// inside (log p = -K log 3 for every code); importance samples from the sampler.
//
// compat "none": the entropy and the proposal density are the sampler's own (scale std / sqrt 2).
// compat "authors": the reference code's mismatch: the same samples, but the entropy and log q of a clipped
// Gaussian with scale std (with its 1e-12 offsets and std/2 prefactor), so its ELBO is not the ELBO of the
// trained model and its importance weights are not those of the proposal actually sampled.
#include <cmath>
#include <string>

#include "latents.h"
#include "mixdist/distributions/clipped_gaussian.h"

namespace mixdist::experiments::bitvector_vae::latents {
namespace {

class GaussianSparsemaxLatent final : public LatentFamily {
 public:
  explicit GaussianSparsemaxLatent(const BitVaeConfig& c)
      : K_(c.latent_bits), std_(c.gsp_std), authors_(c.compat == "authors") {}

  LatentSample sample(const at::Tensor& scores, double /*temperature*/) const override {
    const at::Tensor z = bit_gaussian_sparsemax(scores, std_).rsample();
    return {z, density(scores).entropy().sum(-1)};
  }

  ImportanceSamples importance_samples(const at::Tensor& scores, double /*temperature*/,
                                       int64_t num_samples) const override {
    // Both modes draw from the same sampler, so a seed gives the same codes in either.
    const at::Tensor z = bit_gaussian_sparsemax(scores, std_).sample({num_samples});
    const at::Tensor log_q = density(scores).log_prob(z).sum(-1);
    return {z, log_q, at::full_like(log_q, log_prior_constant())};
  }

  double log_prior_constant() const override { return -static_cast<double>(K_) * std::log(3.0); }

  at::Tensor prior_sample(int64_t n) const override { return mixed_prior_sample(n, K_); }

 private:
  // The law whose entropy and log-density the objective and the importance weights use.
  ClippedGaussian density(const at::Tensor& scores) const {
    if (!authors_) return bit_gaussian_sparsemax(scores, std_);
    return ClippedGaussian(scores, at::full_like(scores, std_),
                           ClippedGaussianOptions().reproduce_authors(true));
  }

  int64_t K_;
  double std_;
  bool authors_;
};

}  // namespace

std::unique_ptr<LatentFamily> make_gaussian_sparsemax(const BitVaeConfig& config) {
  return std::make_unique<GaussianSparsemaxLatent>(config);
}

}  // namespace mixdist::experiments::bitvector_vae::latents
