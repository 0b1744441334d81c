#pragma once

/// @file
/// @brief budget sparsemax: the Euclidean projection onto the capped simplex {0 <= p <= 1, sum(p) == budget}.
///
/// budget sparsemax (the entmax package's budget_bisect; "k-subsets" when the budget is an integer k) solves
///   max_p <x, p> - ||p||^2 / 2  s.t.  0 <= p <= 1, sum(p) == budget,
/// whose solution is p = clamp(x - tau, 0, 1) with tau such that the entries sum to the budget. mixdist finds
/// tau exactly, in double: safeguarded Newton steps on the piecewise-linear sum (one pass over the row each)
/// until a step lands on the linear piece it was computed from, where the sum equals the budget exactly. A
/// budget of 1 is sparsemax.
///
/// Semantics of x and dim as for sparsemax (see sparsemax.h): any dim and layout; float, double, half and
/// bfloat16 (computed in double); -inf entries get exactly 0; a row with a NaN gives NaN. The budget must be
/// positive and at most the number of entries of the row that are not -inf (= that number gives all ones).
/// Tensors on other devices are computed on the CPU and copied back.
///
/// Differentiable in x and in a tensor budget: on the entries strictly between 0 and 1 (the free set F),
/// dp/dx = I - 1 1^T / |F| and dp/dbudget = 1 / |F|; zero elsewhere, and zero when F is empty.

#include <ATen/ATen.h>

namespace mixdist {
inline namespace simplex {

/// budget sparsemax along `dim` with a tensor of budgets (one per row, per head, ...), differentiable in
/// both.
///
/// @param x      input scores: any shape with at least one dimension and size >= 1 along `dim`; floating;
///               no +inf entry.
/// @param budget floating tensor broadcastable to x's shape with size 1 along `dim`; every value finite, > 0
///               and at most the number of entries of its row that are not -inf.
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter accepted for the entmax package's signature (its bisection steps), >= 1; the solve is exact.
/// @return a tensor of x's shape and dtype with entries in [0, 1] whose slices along `dim` sum to the budget.
/// @throws c10::Error if budget is undefined, not floating, does not broadcast as described, or holds a
///         value that is not finite, <= 0 or more than its row's entries that are not -inf (the message names
///         the row); if x holds +inf; if n_iter < 1; or for an invalid `x` or `dim` as sparsemax().
///
/// @code
/// at::Tensor p = mixdist::budget_bisect(at::randn({2, 5}), at::full({}, 2.0));  // sums to 2
/// @endcode
at::Tensor budget_bisect(const at::Tensor& x, const at::Tensor& budget, int64_t dim = -1,
                         int64_t n_iter = 50);

/// budget sparsemax along `dim` for one budget.
///
/// @param x      input scores, as for the tensor-budget overload.
/// @param budget finite, > 0, at most the number of entries of every row that are not -inf.
/// @param dim    the simplex dimension, in [-x.dim(), x.dim()).
/// @param n_iter accepted for the entmax package's signature, >= 1; the solve is exact.
/// @return a tensor of x's shape and dtype with entries in [0, 1] whose slices along `dim` sum to the budget.
/// @throws c10::Error as the tensor-budget overload.
///
/// @code
/// at::Tensor p = mixdist::budget_bisect(at::randn({2, 5}));  // budget 2
/// @endcode
at::Tensor budget_bisect(const at::Tensor& x, double budget = 2.0, int64_t dim = -1, int64_t n_iter = 50);

}  // namespace simplex
}  // namespace mixdist
