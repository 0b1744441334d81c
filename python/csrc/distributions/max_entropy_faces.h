#pragma once

// What the max-entropy ops share (max_entropy_faces.cpp, mixed_max_ent_dirichlet_prior.cpp): the op
// arguments that describe a MaxEntropyFaces law (K, N, variant, dtype, batch shape) turned into the C++ law.

#include <c10/core/ScalarType.h>
#include <c10/util/ArrayRef.h>
#include <c10/util/string_view.h>

#include <cstdint>

#include "mixdist/distributions/max_entropy_faces.h"

namespace mixdist::python {

/// "derived" or "authors"; anything else is an error naming the value.
mixdist::MaxEntropyFacesVariant parse_max_entropy_variant(c10::string_view variant);

/// MaxEntropyFaces(K, N, variant, dtype, validate_args), expanded to batch_shape when it is not empty.
mixdist::MaxEntropyFaces make_max_entropy_faces(int64_t K, double N, c10::string_view variant,
                                                at::ScalarType dtype, c10::IntArrayRef batch_shape,
                                                bool validate_args = false);

}  // namespace mixdist::python
