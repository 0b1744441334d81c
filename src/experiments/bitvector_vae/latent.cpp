#include "mixdist/experiments/bitvector_vae/latent.h"

#include <limits>

#include "latents/latents.h"

namespace mixdist::experiments::bitvector_vae {

namespace latents {

at::Tensor relaxed_bit(const at::Tensor& logit) {
  const double eps = logit.scalar_type() == at::kDouble ? std::numeric_limits<double>::epsilon()
                                                        : std::numeric_limits<float>::epsilon();
  return logit.sigmoid().clamp(eps, 1.0 - eps);
}

at::Tensor mixed_prior_sample(int64_t n, int64_t K) {
  const at::Tensor which = at::randint(0, 3, {n, K}, at::kLong);
  const at::Tensor inside = at::rand({n, K}, at::kFloat);
  return at::where(which == 0, at::zeros_like(inside), at::where(which == 1, at::ones_like(inside), inside));
}

}  // namespace latents

std::unique_ptr<LatentFamily> make_latent_family(const BitVaeConfig& config) {
  config.validate();
  switch (config.latent) {
    case BitLatent::kGumbelSoftmax:
      return latents::make_gumbel_softmax(config, /*straight_through=*/false);
    case BitLatent::kGumbelSoftmaxST:
      return latents::make_gumbel_softmax(config, /*straight_through=*/true);
    case BitLatent::kBinaryConcrete:
      return latents::make_binary_concrete(config);
    case BitLatent::kHardConcrete:
      return latents::make_hard_concrete(config);
    case BitLatent::kGaussianSparsemax:
      return latents::make_gaussian_sparsemax(config);
  }
  TORCH_CHECK(false, "make_latent_family: unknown latent ", static_cast<int>(config.latent));
}

}  // namespace mixdist::experiments::bitvector_vae
