#pragma once

/// @file
/// @brief code_length_bits: the optimal expected code length of a mixed variable at N-bit precision.
///
/// The code-length reading of the direct-sum entropy (`docs/math.md#code-length`): quantising each of the
/// dim(F) free coordinates of a mixed variable with bins of width 2^-N costs, to first order,
///   H+(Y)/ln 2 + N E[dim F]  bits,
/// the optimal expected code length at N-bit precision: the face is paid by the discrete part, every
/// continuous dimension by N bits plus its share of the differential entropy.

#include <ATen/ATen.h>

#include <cmath>

namespace mixdist {
inline namespace distributions {

/// H+/ln 2 + N E[dim F]: the optimal expected code length in bits at N-bit precision.
///
/// Elementwise and differentiable in both tensors; no argument is checked.
/// @param entropy_nats the direct-sum entropy H+ in nats (any shape).
/// @param expected_face_dim E[dim F], broadcasting with `entropy_nats`.
/// @param precision_bits N, the precision of each free coordinate in bits (usually >= 0).
/// @return the code length in bits, the broadcast shape of both tensors.
///
/// @code
/// at::Tensor bits = mixdist::code_length_bits(cg.entropy(), cg.expected_face_dim(), 8.0);
/// @endcode
inline at::Tensor code_length_bits(const at::Tensor& entropy_nats, const at::Tensor& expected_face_dim,
                                   double precision_bits) {
  return entropy_nats / std::log(2.0) + precision_bits * expected_face_dim;
}

}  // namespace distributions
}  // namespace mixdist
