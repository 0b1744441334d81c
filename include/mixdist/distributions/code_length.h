#pragma once

// The code-length reading of the direct-sum entropy (docs/math.md#code-length): quantising each of the dim(F)
// free coordinates of a mixed variable with bins of width 2^-N costs, to first order,
//   H+(Y)/ln 2 + N E[dim F]  bits,
// the optimal expected code length at N-bit precision: the face is paid by the discrete part, every
// continuous dimension by N bits plus its share of the differential entropy.

#include <ATen/ATen.h>

#include <cmath>

namespace mixdist {

inline at::Tensor code_length_bits(const at::Tensor& entropy_nats, const at::Tensor& expected_face_dim,
                                   double precision_bits) {
  return entropy_nats / std::log(2.0) + precision_bits * expected_face_dim;
}

}  // namespace mixdist
