#pragma once

// log(1 - exp(-x)) without cancellation, and the normaliser of the non-empty bit-vector ("Gibbs") face law
// built on it (docs/math.md#gibbs-face-law).

#include <ATen/ATen.h>

namespace mixdist::special {

// Elementwise log(1 - exp(-x)) for x >= 0 (Maechler 2012: log(-expm1(-x)) for x <= ln 2, log1p(-exp(-x))
// otherwise). log1mexp(0) = -inf, log1mexp(+inf) = 0, NaN stays NaN. A negative x is an error naming the
// first offending value. Differentiable, with d/dx = 1 / expm1(x), finite for every x > 0.
at::Tensor log1mexp(const at::Tensor& x);

// log Z for the law P(f) ∝ exp(sum_k (2 f_k - 1) w_k) over the non-empty f in {0,1}^K along `dim`:
//   Z = prod_k (e^{w_k} + e^{-w_k}) - e^{-sum_k w_k}
//   log Z = sum_k logaddexp(w_k, -w_k) + log1mexp(-sum_k log sigmoid(-2 w_k)).
// The naive difference cancels to 0 in float already for K = 10 scores at -10. Returns scores' shape without
// `dim`. Differentiable. Scores must be finite for a finite gradient.
at::Tensor log_nonempty_bitvector_normalizer(const at::Tensor& scores, int64_t dim = -1);

}  // namespace mixdist::special
