#pragma once

/// @file
/// @brief Umbrella header: everything a user of mixdist needs.
///
/// Includes the sparse maps, their losses and modules, the distributions, the special functions, and the
/// fused layers and optimiser. The data layer (mixdist/data/), report figures (mixdist/report/) and the
/// experiments (mixdist/experiments/) have headers of their own.
///
/// @code
/// #include <mixdist/mixdist.h>
/// at::Tensor p = mixdist::sparsemax(at::randn({2, 5}));
/// @endcode

#include "mixdist/version.h"

#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/binary_concrete.h"
#include "mixdist/distributions/categorical.h"
#include "mixdist/distributions/clipped_gaussian.h"
#include "mixdist/distributions/code_length.h"
#include "mixdist/distributions/constraints.h"
#include "mixdist/distributions/dirichlet.h"
#include "mixdist/distributions/distribution.h"
#include "mixdist/distributions/estimate.h"
#include "mixdist/distributions/face_expectation.h"
#include "mixdist/distributions/gaussian_sparsemax.h"
#include "mixdist/distributions/gibbs_faces.h"
#include "mixdist/distributions/hard_concrete.h"
#include "mixdist/distributions/kl.h"
#include "mixdist/distributions/masked_dirichlet.h"
#include "mixdist/distributions/max_entropy_faces.h"
#include "mixdist/distributions/mixed_dirichlet.h"
#include "mixdist/distributions/mixed_max_ent_dirichlet_prior.h"
#include "mixdist/distributions/normal.h"
#include "mixdist/distributions/relaxed_one_hot_categorical.h"
#include "mixdist/distributions/score_function.h"
#include "mixdist/nn/dropout.h"
#include "mixdist/nn/linear.h"
#include "mixdist/simplex/backend.h"
#include "mixdist/simplex/budget.h"
#include "mixdist/simplex/entmax15.h"
#include "mixdist/simplex/entmax_bisect.h"
#include "mixdist/simplex/faces.h"
#include "mixdist/simplex/generic.h"
#include "mixdist/simplex/losses.h"
#include "mixdist/simplex/modules.h"
#include "mixdist/simplex/normmax.h"
#include "mixdist/simplex/sparsemax.h"
#include "mixdist/special/gauss_hermite.h"
#include "mixdist/special/lgamma_digamma.h"
#include "mixdist/special/log1mexp.h"
#include "mixdist/special/log_ndtr.h"
#include "mixdist/special/poisson_binomial.h"
#include "mixdist/train/clip_grad_norm.h"
#include "mixdist/train/fused_adam.h"

/// @namespace mixdist
/// @brief mixdist: mixed random variables on the probability simplex, on LibTorch.
///
/// The sparse maps (sparsemax, entmax15, entmax_bisect), their Fenchel-Young losses and modules, the face
/// lattice, and the distributions live directly in this namespace; the layers below have their own.
