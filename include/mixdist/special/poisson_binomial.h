#pragma once

/// @file
/// @brief The Poisson-binomial law: the number of successes among independent Bernoullis.
///
/// The Poisson-binomial law: the number of successes among independent Bernoullis with different
/// probabilities. The face size |F| of the Gibbs face law follows it
/// (docs/math.md#maximum-entropy-face-laws).

#include <ATen/ATen.h>

namespace mixdist::special {

/// log P(n successes), n = 0..K, of K independent Bernoullis given by their logits.
///
/// The O(K^2) recursion P_{k+1}(n) = P_k(n) q_{k+1} + P_k(n-1) p_{k+1} in log space (p = sigmoid(logit), q =
/// sigmoid(-logit)). K = 0 gives log P(0) = 0. Differentiable through ATen ops; the gradient is finite for
/// finite logits (an infinite logit makes some counts impossible, -inf, and their gradients NaN).
/// @param logits floating tensor [..., K], K >= 0.
/// @return log-probabilities [..., K+1], logits' dtype.
/// @throws c10::Error if logits is undefined, not floating, or 0-dimensional.
///
/// @code
/// at::Tensor lp = mixdist::special::poisson_binomial_log_pmf(at::zeros({3}));  // log of 1/8, 3/8, 3/8, 1/8
/// @endcode
at::Tensor poisson_binomial_log_pmf(const at::Tensor& logits);

}  // namespace mixdist::special
