#pragma once

// The within-face terms of the Mixed Dirichlet's entropy and KL as functions of face sums (internal;
// docs/math.md#masked-dirichlet), with lgamma and digamma of a face's concentration sum a0 from one fused
// pass. The per-coordinate parts use the same function, so on a vertex (a0 = a_k, n = 1) the entropy cancels
// to rounding.
//   H(Dir(a_f)) = sum_f [lgamma(a_i) - (a_i - 1) psi(a_i)] - lgamma(a0) + (a0 - n) psi(a0)
//   KL(Dir(a_f) || Dir(b_f)) = lgamma(a0) - lgamma(b0) + sum_f [(a_i - b_i) psi(a_i) - lgamma a_i + lgamma
//   b_i]
//                              - psi(a0) sum_f (a_i - b_i)

#include "mixdist/distributions/face_expectation.h"
#include "mixdist/special/lgamma_digamma.h"

namespace mixdist::detail {

inline FaceSumTerm within_face_entropy(const at::Tensor& a) {
  const auto [lg, dg] = special::lgamma_digamma(a);
  return {{a, lg - (a - 1) * dg}, [](const std::vector<at::Tensor>& sums, const at::Tensor& n) {
            const auto [lg0, dg0] = special::lgamma_digamma(sums[0]);
            return sums[1] - lg0 + (sums[0] - n) * dg0;
          }};
}

inline FaceSumTerm within_face_kl(const at::Tensor& a, const at::Tensor& b) {
  const auto [lga, dga] = special::lgamma_digamma(a);
  const at::Tensor lgb = special::lgamma_digamma(b).first;
  return {{a, b, (a - b) * dga - lga + lgb, a - b},
          [](const std::vector<at::Tensor>& sums, const at::Tensor&) {
            const auto [lga0, dga0] = special::lgamma_digamma(sums[0]);
            return lga0 - special::lgamma_digamma(sums[1]).first + sums[2] - dga0 * sums[3];
          }};
}

// E_F[log (|F| - 1)!] from the face-size law, exact: the log-volume term of a uniform Dirichlet on the face.
inline at::Tensor expected_log_face_volume_inverse(const at::Tensor& log_size_pmf) {
  const at::Tensor n = at::arange(1, log_size_pmf.size(-1) + 1, log_size_pmf.options());
  return (log_size_pmf.exp() * n.lgamma()).sum(-1);
}

}  // namespace mixdist::detail
