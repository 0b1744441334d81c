#pragma once

/// @file
/// @brief Device-generic sparse maps built only from ATen ops: the reference and the non-CPU path.
///
/// Device-generic sparse maps built only from ATen ops (sort, cumsum, gather, bisection), in the way the
/// Python entmax package computes them. They run on any device LibTorch supports and are differentiable by
/// plain autograd. mixdist::sparsemax & co. use them for non-CPU tensors; on CPU the fused kernels are much
/// faster (docs/performance.md#sparse-map-benchmarks), and these serve as the independent reference in tests
/// and the "naive port" baseline in benchmarks.
///
/// Unlike mixdist::sparsemax & co. they do not validate their arguments: an invalid `dim` or dtype fails
/// inside ATen, and a row that is entirely -inf gives NaN instead of an error.

#include <ATen/ATen.h>

/// @brief Device-generic sparse maps in plain ATen ops (sort, cumsum, bisection), differentiable by autograd.
namespace mixdist {
inline namespace simplex {
namespace generic {

/// sparsemax along `dim` by sort and prefix sums (Held et al. 1974; Martins & Astudillo 2016, Alg. 1).
///
/// @param x   floating scores of any shape, on any device.
/// @param dim the simplex dimension, in [-x.dim(), x.dim()).
/// @return x's shape and dtype, rows on the simplex.
///
/// @code
/// at::Tensor p = mixdist::generic::sparsemax(at::randn({2, 5}));
/// @endcode
at::Tensor sparsemax(const at::Tensor& x, int64_t dim = -1);

/// 1.5-entmax along `dim` by sort and prefix sums of z and z^2 (Peters et al. 2019, Alg. 2).
///
/// @param x   floating scores of any shape, on any device.
/// @param dim the simplex dimension, in [-x.dim(), x.dim()).
/// @return x's shape and dtype, rows on the simplex.
///
/// @code
/// at::Tensor p = mixdist::generic::entmax15(at::randn({2, 5}));
/// @endcode
at::Tensor entmax15(const at::Tensor& x, int64_t dim = -1);

/// alpha-entmax along `dim` by bisection on the threshold, then renormalisation (Blondel et al. 2020).
///
/// Rows with alpha within 1e-6 of 1 are computed as softmax. Differentiable in `x` and `alpha` through the
/// bisection's ATen ops (not the closed-form gradient of mixdist::entmax_bisect).
/// @param x      floating scores of any shape, on any device.
/// @param alpha  alphas (>= 1, not checked) broadcastable to x with size 1 along `dim`.
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter number of bisection steps: exactly n_iter (each halves the bracket); 0 renormalises the
///               lower end of the bracket.
/// @return x's shape and dtype, rows on the simplex.
///
/// @code
/// at::Tensor p = mixdist::generic::entmax_bisect(at::randn({2, 5}), at::full({}, 1.3));
/// @endcode
at::Tensor entmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim = -1, int64_t n_iter = 50);

}  // namespace generic
}  // namespace simplex
}  // namespace mixdist
