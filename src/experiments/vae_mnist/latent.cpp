#include "mixdist/experiments/vae_mnist/latent.h"

#include "latents/latents.h"

namespace mixdist::experiments::vae_mnist {

std::unique_ptr<Latent> make_latent(const VaeConfig& config) {
  config.validate();
  switch (config.latent) {
    case LatentType::kGaussian:
      return latents::make_gaussian(config);
    case LatentType::kDirichlet:
      return latents::make_dirichlet(config);
    case LatentType::kCategorical:
      return latents::make_categorical(config);
    case LatentType::kGumbelSoftmaxST:
      return latents::make_gumbel_softmax_st(config);
    case LatentType::kGaussianSparsemax:
      return latents::make_gaussian_sparsemax(config);
    case LatentType::kMixedDirichlet:
      return latents::make_mixed_dirichlet(config);
  }
  TORCH_CHECK(false, "make_latent: unknown latent type ", static_cast<int>(config.latent));
}

namespace latents {
MaxEntropyFacesVariant face_prior_variant(const VaeConfig& config) {
  return config.face_prior == "derived" ? MaxEntropyFacesVariant::kDerived : MaxEntropyFacesVariant::kAuthors;
}
}  // namespace latents

}  // namespace mixdist::experiments::vae_mnist
