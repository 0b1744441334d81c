#pragma once

/// @file
/// @brief alpha-entmax for any alpha >= 1 (a number, or a tensor of per-row alphas that receives a gradient).
///
/// alpha-entmax for any alpha >= 1 (Peters et al., 2019; Blondel et al., 2020):
///   entmax_alpha(x) = [(alpha - 1) x - tau]_+^(1/(alpha - 1)),  tau such that the output sums to 1.
/// alpha = 1 is softmax, 1.5 is entmax15, 2 is sparsemax. The name follows the entmax package; the threshold
/// is found by safeguarded Newton iterations on the candidates that can be in the support (at most n_iter
/// steps, stopping when the bracket is a few ulps wide), and alpha = 1.5 and alpha = 2 use the exact solvers.
/// For 1 < alpha < 2 the CPU kernel first iterates in float with vectorised powers and then polishes in
/// double (at most n_iter steps each): double rows end as accurate as a pure double solve, float rows within
/// about 1e-12 of the threshold, far below float resolution.
///
/// alpha is a number or a tensor broadcastable to x with size 1 along dim (one alpha per row, per head, ...).
/// A tensor alpha receives a gradient (closed form of Correia, Niculae & Martins, 2019). Every alpha must be
/// >= 1; within 1e-6 of 1 the map is evaluated as softmax, its limit. Other semantics as for sparsemax
/// (see sparsemax.h).

#include <ATen/ATen.h>

#include <tuple>

namespace mixdist {
inline namespace simplex {

/// alpha-entmax along `dim` for one alpha: [(alpha - 1) x - tau]_+^(1/(alpha - 1)), rows summing to 1.
///
/// Differentiable in `x`. On the CPU the threshold is a safeguarded Newton solve (exact solvers for
/// alpha = 1.5 and 2); on other devices (or with SparseMapBackend::kAten) it is generic::entmax_bisect, which
/// bisects exactly n_iter times.
/// @param x      input scores: any shape with at least one dimension and size >= 1 along `dim`; float,
///               double, half or bfloat16, any device.
/// @param alpha  finite, >= 1 (1: softmax, 1.5: entmax15, 2: sparsemax; within 1e-6 of 1: softmax).
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter iteration budget, >= 1: at most n_iter iterations (mixdist's exact methods usually need far
///               fewer).
/// @return a tensor of x's shape and dtype whose slices along `dim` lie on the simplex.
/// @throws c10::Error if alpha is not finite or < 1, if n_iter < 1, or for an invalid `x` or `dim` as
///         sparsemax() (undefined, not floating, 0-dimensional, empty along `dim`, a row entirely -inf).
///
/// @code
/// at::Tensor p = mixdist::entmax_bisect(at::randn({2, 5}), /*alpha=*/1.3);
/// @endcode
at::Tensor entmax_bisect(const at::Tensor& x, double alpha = 1.5, int64_t dim = -1, int64_t n_iter = 50);

/// alpha-entmax along `dim` with a tensor of alphas (one per row, per head, ...), differentiable in alpha
/// too.
///
/// @param x      input scores, as for the scalar-alpha overload.
/// @param alpha  floating tensor broadcastable to x's shape with size 1 along `dim`; every value finite and
///               >= 1. Receives a gradient (Correia, Niculae & Martins, 2019).
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter iteration budget, >= 1: at most n_iter iterations (mixdist's exact methods usually need far
///               fewer).
/// @return a tensor of x's shape and dtype whose slices along `dim` lie on the simplex.
/// @throws c10::Error if alpha is undefined, not floating, does not broadcast as described, or holds a value
///         that is not finite or < 1; if n_iter < 1; or for an invalid `x` or `dim` as sparsemax().
///
/// @code
/// at::Tensor alpha = at::full({2, 1}, 1.5, at::requires_grad());  // one alpha per row
/// at::Tensor p = mixdist::entmax_bisect(at::randn({2, 5}), alpha);
/// @endcode
at::Tensor entmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim = -1, int64_t n_iter = 50);

/// alpha-entmax with a tensor alpha, together with the support size of every row.
///
/// @param x      input scores, as for entmax_bisect().
/// @param alpha  floating tensor broadcastable to x's shape with size 1 along `dim`, every value finite and
///               >= 1.
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter iteration budget, >= 1: at most n_iter iterations (mixdist's exact methods usually need far
///               fewer).
/// @return {p, support}: p as entmax_bisect(x, alpha, dim, n_iter); support (number of nonzeros, not
///         differentiable) int64 of x's shape with size 1 along `dim`.
/// @throws c10::Error as the tensor-alpha entmax_bisect().
///
/// @code
/// auto [p, support] = mixdist::entmax_bisect_with_support(at::randn({2, 5}), at::full({}, 1.3));
/// @endcode
std::tuple<at::Tensor, at::Tensor> entmax_bisect_with_support(const at::Tensor& x, const at::Tensor& alpha,
                                                              int64_t dim = -1, int64_t n_iter = 50);

}  // namespace simplex
}  // namespace mixdist
