#pragma once

// log Phi(x), the log of the standard normal CDF, with a gradient that is accurate and finite everywhere
// (docs/math.md#log-space). Used by the Gaussian-Sparsemax density, whose CDF terms for vertices far from the
// mean are far below the smallest double.

#include <ATen/ATen.h>

namespace mixdist::special {

// Elementwise log Phi(x) for a floating tensor of any shape (float, double, half, bfloat16; all computed in
// double and returned in x's dtype). Accurate to a few ulps from x = -1e150 to the point where
// Phi(-x) underflows (about 37.5 in double, 13 in float), and exactly 0 beyond. Differentiable (also twice):
// d/dx log Phi(x) = phi(x) / Phi(x) is computed without cancellation, so it is about -x for x -> -inf, 0 for
// x -> +inf, and never NaN for a finite x; at x = -inf it is +inf.
at::Tensor log_ndtr(const at::Tensor& x);

}  // namespace mixdist::special
