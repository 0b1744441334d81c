#pragma once

// The 1-D integral of the Gaussian-Sparsemax density (internal; docs/math.md#gaussian-sparsemax-density):
//   E(m, c, mu, sigma) = E_{tau ~ N(m, c)}[prod_{j in Z} Phi((tau - mu_j) / sigma_j)],
// by adaptive Gauss–Kronrod quadrature with a relative error target, row by row.

#include <ATen/ATen.h>

namespace mixdist::detail {

struct CdfIntegralStats {
  int64_t evaluations = 0;  // integrand evaluations (value only, gradient passes excluded), all rows
  int64_t max_panels = 0;   // the most panels any row needed
};

// log E for every row: m, c broadcast to batch shape [...]; mu, sigma, zero_set broadcast to [..., K]
// (zero_set bool: the coordinates j in Z; the others are ignored). Computed in double on the CPU and returned
// as double on m's device. Differentiable once in m, c, mu and sigma: the gradient is the quadrature (on the
// same panels) of the integrand's derivative, i.e. posterior moments of tau. A second derivative (backward
// with create_graph) is an error. tolerance: relative error target of E, in (0, 1e-2]. stats, if given,
// receives the work done.
at::Tensor gsp_log_cdf_integral(const at::Tensor& m, const at::Tensor& c, const at::Tensor& mu,
                                const at::Tensor& sigma, const at::Tensor& zero_set, double tolerance,
                                CdfIntegralStats* stats = nullptr);

}  // namespace mixdist::detail
