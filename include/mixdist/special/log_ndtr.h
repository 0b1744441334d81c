#pragma once

/// @file
/// @brief log Phi(x), the log of the standard normal CDF, accurate and with a finite gradient everywhere.
///
/// log Phi(x), the log of the standard normal CDF, with a gradient that is accurate and finite everywhere
/// (docs/math.md#log-space). Used by the Gaussian-Sparsemax density, whose CDF terms for vertices far from
/// the mean are far below the smallest double.

#include <ATen/ATen.h>

namespace mixdist::special {

/// Elementwise log Phi(x), computed in double and returned in x's dtype.
///
/// Accurate to a few ulps from x = -1e150 to the point where Phi(-x) underflows (about 37.5 in double, 13 in
/// float), and exactly 0 beyond. Differentiable (also twice): d/dx log Phi(x) = phi(x) / Phi(x) is computed
/// without cancellation, so it is about -x for x -> -inf, 0 for x -> +inf, and never NaN for a finite x; at
/// x = -inf it is +inf.
/// @param x floating tensor of any shape (float, double, half, bfloat16).
/// @return log Phi(x), x's shape and dtype.
/// @throws c10::Error if x is undefined or not floating.
///
/// @code
/// at::Tensor y = mixdist::special::log_ndtr(at::tensor({-40.0, 0.0, 40.0}));  // about -804.6, log 0.5, 0
/// @endcode
at::Tensor log_ndtr(const at::Tensor& x);

}  // namespace mixdist::special
