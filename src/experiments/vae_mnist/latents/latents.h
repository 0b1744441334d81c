#pragma once

// Constructors of the six latent models (one file each), used by make_latent.

#include <memory>

#include "mixdist/distributions/max_entropy_faces.h"
#include "mixdist/experiments/vae_mnist/latent.h"

namespace mixdist::experiments::vae_mnist::latents {

std::unique_ptr<Latent> make_gaussian(const VaeConfig& config);
std::unique_ptr<Latent> make_dirichlet(const VaeConfig& config);
std::unique_ptr<Latent> make_categorical(const VaeConfig& config);
std::unique_ptr<Latent> make_gumbel_softmax_st(const VaeConfig& config);
std::unique_ptr<Latent> make_gaussian_sparsemax(const VaeConfig& config);
std::unique_ptr<Latent> make_mixed_dirichlet(const VaeConfig& config);

// max-entropy face prior variant named by config.face_prior.
mixdist::MaxEntropyFacesVariant face_prior_variant(const VaeConfig& config);

}  // namespace mixdist::experiments::vae_mnist::latents
