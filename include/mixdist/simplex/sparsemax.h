#pragma once

/// @file
/// @brief sparsemax, the Euclidean projection onto the probability simplex, with its support size.
///
/// sparsemax(x) = argmin_{p in simplex} ||p - x||^2 = [x - tau]_+ (Martins & Astudillo, 2016).
///
/// Semantics shared by all sparse maps of mixdist (sparsemax, entmax15, entmax_bisect):
///  * any dim, any number of batch dimensions, contiguous or not; float, double, half, bfloat16 (the last two
///    are computed in float);
///  * -inf entries get exactly 0; a row that is entirely -inf is an error naming the row; entries equal to
///    +inf share the mass equally (the limit of the map); a row holding a NaN gives NaN for that row, like
///    softmax;
///  * the map is exact: the threshold comes from an exact active-set solve, not bisection, so zeros are exact
///    zeros and the support (face) is the one the threshold defines.
///
/// CPU tensors take the fused kernels (docs/performance.md#algorithms-of-the-sparse-maps); other devices, or
/// SparseMapBackend::kAten, the ATen-ops path of mixdist::generic.

#include <ATen/ATen.h>

#include <tuple>

namespace mixdist {
/// @brief The sparse maps layer (include/mixdist/simplex/): an inline namespace, so
/// `mixdist::simplex::sparsemax` and `mixdist::sparsemax` name the same function.
inline namespace simplex {

/// sparsemax along `dim`: the point of the simplex closest to `x` in Euclidean distance.
///
/// Differentiable in `x` (Jacobian-vector product on the support; see the file comment for -inf, +inf and
/// NaN entries).
/// @param x   input scores: any shape with at least one dimension and size >= 1 along `dim`; float, double,
///            half or bfloat16, any device.
/// @param dim the simplex dimension, in [-x.dim(), x.dim()).
/// @return a tensor of x's shape and dtype whose slices along `dim` lie on the simplex, with exact zeros.
/// @throws c10::Error if `x` is undefined, not floating, 0-dimensional or empty along `dim`, if `dim` is out
///         of range, or if a row is entirely -inf (the message names the row).
///
/// @code
/// at::Tensor p = mixdist::sparsemax(at::randn({2, 5}));  // rows on the simplex, some exact zeros
/// @endcode
at::Tensor sparsemax(const at::Tensor& x, int64_t dim = -1);

/// sparsemax along `dim` together with the support size of every row.
///
/// The support size (number of nonzeros along `dim`) is not differentiable; the probabilities are, as for
/// sparsemax().
/// @param x   input scores, as for sparsemax().
/// @param dim the simplex dimension, in [-x.dim(), x.dim()).
/// @return {p, support}: p as sparsemax(x, dim); support int64 of x's shape with size 1 along `dim`.
/// @throws c10::Error as sparsemax().
///
/// @code
/// auto [p, support] = mixdist::sparsemax_with_support(at::randn({2, 5}));  // support: [2, 1] int64
/// @endcode
std::tuple<at::Tensor, at::Tensor> sparsemax_with_support(const at::Tensor& x, int64_t dim = -1);

}  // namespace simplex
}  // namespace mixdist
