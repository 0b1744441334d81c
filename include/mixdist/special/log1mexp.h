#pragma once

/// @file
/// @brief log(1 - exp(-x)) without cancellation, and the normaliser of the non-empty bit-vector face law.
///
/// log(1 - exp(-x)) without cancellation, and the normaliser of the non-empty bit-vector ("Gibbs") face law
/// built on it (docs/math.md#gibbs-face-law).

#include <ATen/ATen.h>

namespace mixdist::special {

/// Elementwise log(1 - exp(-x)) for x >= 0, without cancellation.
///
/// Maechler 2012: log(-expm1(-x)) for x <= ln 2, log1p(-exp(-x)) otherwise. log1mexp(0) = -inf,
/// log1mexp(+inf) = 0, NaN stays NaN. Differentiable, with d/dx = 1 / expm1(x), finite for every x > 0.
/// @param x floating tensor of any shape, every value >= 0 (or NaN).
/// @return log(1 - exp(-x)), x's shape and dtype.
/// @throws c10::Error if x is undefined or not floating, or holds a negative value (the message names the
///         first one and its flat index).
///
/// @code
/// at::Tensor y = mixdist::special::log1mexp(at::tensor({1e-20, 1.0, 50.0}));  // accurate at both ends
/// @endcode
at::Tensor log1mexp(const at::Tensor& x);

/// log Z for the law P(f) ∝ exp(sum_k (2 f_k - 1) w_k) over the non-empty f in {0,1}^K along `dim`.
///
///   Z = prod_k (e^{w_k} + e^{-w_k}) - e^{-sum_k w_k}
///   log Z = sum_k logaddexp(w_k, -w_k) + log1mexp(-sum_k log sigmoid(-2 w_k)).
///
/// The naive difference cancels to 0 in float already for K = 10 scores at -10. Differentiable; scores must
/// be finite for a finite gradient.
/// @param scores floating tensor with at least one entry along `dim` (the K scores w_k).
/// @param dim    the bit dimension, in [-scores.dim(), scores.dim()).
/// @return log Z, scores' shape without `dim`.
/// @throws c10::Error if scores is undefined, not floating, 0-dimensional or empty along `dim`, or `dim` is
///         out of range.
///
/// @code
/// at::Tensor log_z = mixdist::special::log_nonempty_bitvector_normalizer(at::full({10}, -10.0));
/// @endcode
at::Tensor log_nonempty_bitvector_normalizer(const at::Tensor& scores, int64_t dim = -1);

}  // namespace mixdist::special
