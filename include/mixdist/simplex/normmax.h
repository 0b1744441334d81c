#pragma once

/// @file
/// @brief alpha-normmax, the sparse map regularised by the alpha-norm, and its Fenchel-Young loss.
///
/// alpha-normmax (Blondel, Martins & Niculae, 2020; the entmax package's normmax_bisect) solves
///   max_p <x, p> - ||p||_alpha  s.t.  p >= 0, sum(p) == 1,      alpha > 1.
/// Its solution is p proportional to [x - tau]_+^(1/(alpha - 1)) with tau such that
/// sum_i [x_i - tau]_+^(alpha/(alpha - 1)) == 1. That equation is the threshold equation of alpha'-entmax
/// with alpha' = 2 - 1/alpha at the scores x alpha/(alpha - 1); so mixdist solves it with entmax_bisect
/// (exactly for alpha = 2, where alpha' = 1.5) and raises the entmax output e to 1/alpha: p = e^(1/alpha) /
/// sum(e^(1/alpha)). alpha -> 1 tends to argmax, alpha -> infinity to a uniform distribution over the largest
/// scores' face.
///
/// Semantics of x and dim as for sparsemax (see sparsemax.h). Differentiable in x (fused closed-form
/// backward); like the entmax package, not in alpha (a tensor alpha that requires a gradient is refused).

#include <ATen/ATen.h>

#include "mixdist/simplex/losses.h"

namespace mixdist {
inline namespace simplex {

/// alpha-normmax along `dim` with a tensor of alphas (one per row, per head, ...).
///
/// @param x      input scores: any shape with at least one dimension and size >= 1 along `dim`; float,
///               double, half or bfloat16, any device.
/// @param alpha  floating tensor broadcastable to x's shape with size 1 along `dim`, every value finite and
///               > 1; must not require a gradient while grad mode is on (no alpha gradient is implemented).
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter iteration budget of the threshold solve, >= 1 (as entmax_bisect()).
/// @return a tensor of x's shape and dtype whose slices along `dim` lie on the simplex.
/// @throws c10::Error if alpha is undefined, not floating, does not broadcast as described, holds a value
///         that is not finite or <= 1, or requires a gradient; if n_iter < 1; or for an invalid `x` or `dim`
///         as sparsemax().
///
/// @code
/// at::Tensor p = mixdist::normmax_bisect(at::randn({2, 5}), at::full({}, 3.0));
/// @endcode
at::Tensor normmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim = -1,
                          int64_t n_iter = 50);

/// alpha-normmax along `dim` for one alpha.
///
/// @param x      input scores, as for the tensor-alpha overload.
/// @param alpha  finite, > 1 (2: the default of the entmax package).
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter iteration budget of the threshold solve, >= 1.
/// @return a tensor of x's shape and dtype whose slices along `dim` lie on the simplex.
/// @throws c10::Error if alpha is not finite or <= 1, or as the tensor-alpha overload.
///
/// @code
/// at::Tensor p = mixdist::normmax_bisect(at::randn({2, 5}));  // alpha = 2
/// @endcode
at::Tensor normmax_bisect(const at::Tensor& x, double alpha = 2.0, int64_t dim = -1, int64_t n_iter = 50);

/// The alpha-normmax loss: the Fenchel-Young loss of normmax_bisect,
///   L(x; y) = 1 - ||p*||_alpha + <p* - e_y, x>,  p* = normmax_bisect(x, alpha),
/// with L >= 0 (equality iff p* = e_y) and dL/dx = p* - e_y. A tensor alpha receives a gradient
/// (dL/dalpha = -d||p||_alpha/dalpha at p*, by the envelope theorem).
///
/// Shapes, weight, ignore_index and reduction as sparsemax_loss() (see losses.h).
/// @param input   scores [N, *, C], floating, C >= 1, classes along the last dimension.
/// @param target  integer class indices [N, *], each in [0, C) or equal to options.ignore_index().
/// @param alpha   floating tensor broadcastable to [N, *] (target's shape), every value finite and > 1.
/// @param options n_iter (>= 1), weight, ignore_index and reduction (options.alpha() is ignored).
/// @return the loss: a scalar for kMean and kSum, target's shape for kNone.
/// @throws c10::Error if alpha is undefined, not floating, does not broadcast to target's shape, or holds a
///         value that is not finite or <= 1; if options.n_iter() < 1; or as sparsemax_loss().
///
/// @code
/// at::Tensor loss = mixdist::normmax_bisect_loss(at::randn({8, 5}), at::randint(5, {8}), at::full({}, 2.0));
/// @endcode
at::Tensor normmax_bisect_loss(const at::Tensor& input, const at::Tensor& target, const at::Tensor& alpha,
                               const EntmaxBisectLossOptions& options = {});

}  // namespace simplex
}  // namespace mixdist
