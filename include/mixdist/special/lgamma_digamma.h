#pragma once

/// @file
/// @brief lgamma and digamma of the same argument in one pass.
///
/// lgamma and digamma of the same argument in one pass. The exact Mixed-Dirichlet entropy and KL need both at
/// the concentration sum of every face (2^K - 1 of them, docs/math.md#mixed-dirichlet-entropy-and-kl), and
/// one pass that shares the shift and the logarithm is several times cheaper than separate at::lgamma and
/// at::digamma passes (see docs/performance.md#fused-kernels).

#include <ATen/ATen.h>

#include <utility>

namespace mixdist::special {

/// {lgamma(x), digamma(x)} elementwise, computed in double and returned in x's dtype.
///
/// For x > 0: the recurrence up to x >= 10, then the Stirling series (7 terms each), so the absolute error is
/// below 2e-14 max(1, |lgamma(x)|) and ~1e-15 max(1, |digamma(x)|) (relative accuracy near the zeros of
/// lgamma at 1 and 2 and of digamma at 1.4616 is not kept). Other x (<= 0, inf, NaN) fall back to std::lgamma
/// and ATen's digamma. Differentiable: d lgamma = digamma, d digamma = polygamma(1, .).
/// @param x floating tensor of any shape.
/// @return {lgamma(x), digamma(x)}, both of x's shape and dtype.
/// @throws c10::Error if x is undefined or not floating.
///
/// @code
/// auto [lg, dg] = mixdist::special::lgamma_digamma(at::rand({4}) * 10);
/// @endcode
std::pair<at::Tensor, at::Tensor> lgamma_digamma(const at::Tensor& x);

}  // namespace mixdist::special
