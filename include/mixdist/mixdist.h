#pragma once

// Umbrella header: everything a user of mixdist needs.

#include "mixdist/version.h"

#include "mixdist/simplex/backend.h"
#include "mixdist/simplex/entmax15.h"
#include "mixdist/simplex/entmax_bisect.h"
#include "mixdist/simplex/generic.h"
#include "mixdist/simplex/losses.h"
#include "mixdist/simplex/modules.h"
#include "mixdist/simplex/sparsemax.h"
#include "mixdist/simplex/faces.h"
#include "mixdist/special/gauss_hermite.h"
#include "mixdist/special/log1mexp.h"
#include "mixdist/special/log_ndtr.h"
#include "mixdist/special/poisson_binomial.h"
#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/binary_concrete.h"
#include "mixdist/distributions/categorical.h"
#include "mixdist/distributions/dirichlet.h"
#include "mixdist/distributions/distribution.h"
#include "mixdist/distributions/gumbel_softmax.h"
#include "mixdist/distributions/hard_concrete.h"
#include "mixdist/distributions/kl.h"
#include "mixdist/distributions/normal.h"
