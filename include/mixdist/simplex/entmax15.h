#pragma once

/// @file
/// @brief 1.5-entmax, between softmax and sparsemax, with its support size.
///
/// 1.5-entmax (Peters, Niculae & Martins, 2019): entmax15(x) = [x/2 - tau]_+^2, the alpha = 1.5 member of the
/// alpha-entmax family, between softmax (alpha = 1) and sparsemax (alpha = 2). Semantics as for sparsemax
/// (see sparsemax.h): shapes, dtypes, -inf / +inf / NaN entries, exact zeros.

#include <ATen/ATen.h>

#include <tuple>

namespace mixdist {
inline namespace simplex {

/// 1.5-entmax along `dim`: [x/2 - tau]_+^2 with tau such that every row sums to 1.
///
/// The threshold is exact (Newton from below with a closed-form check of the active set, no sort).
/// Differentiable in `x`.
/// @param x   input scores: any shape with at least one dimension and size >= 1 along `dim`; float, double,
///            half or bfloat16, any device.
/// @param dim the simplex dimension, in [-x.dim(), x.dim()).
/// @return a tensor of x's shape and dtype whose slices along `dim` lie on the simplex, with exact zeros.
/// @throws c10::Error if `x` is undefined, not floating, 0-dimensional or empty along `dim`, if `dim` is out
///         of range, or if a row is entirely -inf (the message names the row).
///
/// @code
/// at::Tensor p = mixdist::entmax15(at::randn({2, 5}));  // sparser than softmax, smoother than sparsemax
/// @endcode
at::Tensor entmax15(const at::Tensor& x, int64_t dim = -1);

/// 1.5-entmax along `dim` together with the support size of every row.
///
/// @param x   input scores, as for entmax15().
/// @param dim the simplex dimension, in [-x.dim(), x.dim()).
/// @return {p, support}: p as entmax15(x, dim); support (number of nonzeros, not differentiable) int64 of x's
///         shape with size 1 along `dim`.
/// @throws c10::Error as entmax15().
///
/// @code
/// auto [p, support] = mixdist::entmax15_with_support(at::randn({2, 5}));
/// @endcode
std::tuple<at::Tensor, at::Tensor> entmax15_with_support(const at::Tensor& x, int64_t dim = -1);

}  // namespace simplex
}  // namespace mixdist
