#pragma once

// GaussianSparsemax(loc, scale): the extrinsic ("sample and project") mixed distribution on the simplex,
// Y = sparsemax(Z) with Z ~ N(loc, diag(scale^2)) (docs/math.md#gaussian-sparsemax). event_shape {K}; loc and
// scale [..., K] broadcast to each other, batch_shape = the broadcast shape without its last dim.
//
// Density w.r.t. the direct-sum measure (counting measure on vertices, Lebesgue measure on the free
// coordinates of each higher face, docs/math.md#the-direct-sum-base-measure): for y with support S (s = |S|)
// and zero set Z,
//   log p(y) = log s + log C + log E_{tau ~ N(m, c)}[prod_{j in Z} Phi((tau - loc_j) / scale_j)]
//   (docs/math.md#gaussian-sparsemax-density),
// the expectation by adaptive Gauss–Kronrod quadrature (GaussianSparsemaxOptions), row by row in a CPU
// kernel, with its gradient from the same panels. K = 1 (log p = 0) and K = 2 (a clipped Gaussian of the
// difference z_1 - z_2) use closed forms.
//
// Face probabilities are exact for vertices and for K <= 2; for higher faces with K >= 3 they have no closed
// form and are estimated by Monte Carlo with a reported standard error. The entropy is closed form for K <= 2
// and a Monte Carlo estimate otherwise (monte_carlo_entropy); KL divergences are Monte Carlo
// (monte_carlo_kl), as in the reference code, but with the sample count as a parameter.

#include <ATen/ATen.h>
#include <torch/arg.h>

#include "mixdist/distributions/distribution.h"

namespace mixdist {

struct GaussianSparsemaxOptions {
  // The CDF integral of log p, ∫ N(tau; m, c) prod_{j in Z} Phi((tau - mu_j)/sigma_j) dtau, by adaptive
  // Gauss–Kronrod (the default): 7/15-point panels graded away from the integrand's mode (found by Newton's
  // method) at 1, 2, 3.5 and 20 times the distance where its log has dropped by 2 on each side (log-concavity
  // bounds what lies beyond by e^-40), then the panel with the largest estimated error is split, at the edge
  // of a sharp Phi cut-off when one lies inside, until the estimated relative error is below
  // quadrature_tolerance (at most 200 panels). In log space (the integrand is scaled by its value at the
  // mode), so vertices with log p down to -2e4 keep their relative accuracy. Measured against a long-double
  // trapezoid reference (tests/test_gaussian_sparsemax.cpp): at most 4e-12 in log p on 104 hard cases
  // (K = 3..10, scales 1e-2..1e2 apart, CDF cut-offs next to and far from the mode, vertices with log p
  // down to -5e3) with 170 integrand evaluations per density on average (120 to 480), and at most 3e-12 on
  // the cases of the fixed rule below; rows sampled at unit scales take about 160 (K = 10) to 180 (K = 100).
  // Differentiable once (the gradient is the same rule applied to the integrand's derivative); a second
  // derivative needs adaptive_quadrature(false).
  TORCH_ARG(bool, adaptive_quadrature) = true;
  // Relative error target of the adaptive rule, in (0, 1e-2]. The error estimate (QUADPACK's) is usually
  // pessimistic, but not always: at 1e-8 one hard case was off by 1.7e-9, at 1e-9 none by more than 4e-12.
  TORCH_ARG(double, quadrature_tolerance) = 1e-9;
  // adaptive_quadrature(false): a fixed Gauss–Hermite rule of this many nodes (1..2048) in ATen ops,
  // differentiable to any order but slow to converge when scales differ widely. On the cases of
  // tests/test_gaussian_sparsemax.cpp with scales within a factor 10 of each other (the vectors of
  // docs/math.md#reference-values-used-by-the-tests, vertices with log p down to -300) 32 nodes reach 1e-13
  // in log p except for the heterogeneous case (1.4e-4), which 64 nodes bring to 6e-7. A zero-set scale 60x
  // below the support's converges slowly (6e-2 at 32 nodes, 5e-3 at 128, 3e-4 at 512), and on the hard-case
  // grid 64 nodes leave errors up to 5e-2.
  TORCH_ARG(int64_t, quadrature_nodes) = 64;
  // Fixed rule only: centre and stretch it on the integrand's mode and one-sided widths. false integrates
  // around N(m, c) itself, as a plain Gauss–Hermite rule would; kept to measure what the centring buys.
  TORCH_ARG(bool, centre_on_mode) = true;
  // Use the closed forms for K = 2 (exact); false sends K = 2 through the general quadrature path.
  TORCH_ARG(bool, closed_form_k2) = true;
};

class GaussianSparsemax : public Distribution {
 public:
  // A Monte Carlo estimate and its standard error (sample standard deviation / sqrt(n)); exact quantities
  // come with standard_error 0.
  struct Estimate {
    at::Tensor value;
    at::Tensor standard_error;
  };

  GaussianSparsemax(const at::Tensor& loc, const at::Tensor& scale,
                    GaussianSparsemaxOptions options = GaussianSparsemaxOptions(),
                    c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "GaussianSparsemax"; }
  bool has_rsample() const override { return true; }

  // log density of value [..., K] w.r.t. the direct-sum measure, its face taken as value > 0
  // (docs/math.md#faces-of-the-simplex).
  at::Tensor log_prob(const at::Tensor& value) const override;
  // The same with the face given explicitly (bool [..., K], broadcasting with value): value must vanish off
  // the face and may hold zeros inside it (a coordinate that underflowed), which then count as in the face.
  at::Tensor log_prob(const at::Tensor& value, const at::Tensor& face) const;

  // Exact for K <= 2: 0 for K = 1; for K = 2 the clipped-Gaussian entropy of ClippedGaussian. An error for
  // K >= 3, where monte_carlo_entropy gives an estimate.
  at::Tensor entropy() const override;
  // H+/ln 2 + N E[dim F] (code_length.h), exact where entropy() is (K <= 2; E[dim F] = P(edge) for K = 2).
  at::Tensor entropy_bits(double precision_bits) const;
  // E[-log p(Y)] over num_samples reparameterised samples (differentiable in loc and scale).
  Estimate monte_carlo_entropy(int64_t num_samples,
                               c10::optional<at::Generator> generator = c10::nullopt) const;

  // log P(Y = e_k) for every vertex, [..., K] (exact: the 1-D integral).
  at::Tensor vertex_log_probs() const;
  // P(Y in ri(face)) for a face mask [..., K] broadcasting with the batch: exact (standard error 0) where
  // the face is a vertex or K <= 2, otherwise the frequency among num_samples samples with its binomial
  // standard error.
  Estimate face_probability(const at::Tensor& face, int64_t num_samples = 100000,
                            c10::optional<at::Generator> generator = c10::nullopt) const;

  GaussianSparsemax expand(at::IntArrayRef batch_shape) const;

  const at::Tensor& loc() const { return loc_; }
  const at::Tensor& scale() const { return scale_; }
  const GaussianSparsemaxOptions& options() const { return options_; }
  int64_t num_vertices() const { return loc_.size(-1); }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor log_prob_general(const at::Tensor& value, const at::Tensor& face) const;
  at::Tensor log_prob_k2(const at::Tensor& value, const at::Tensor& face) const;

  at::Tensor loc_, scale_;
  GaussianSparsemaxOptions options_;
};

// KL(p || q) = E_p[log p(Y) - log q(Y)] by Monte Carlo over num_samples reparameterised samples of p
// (differentiable in p's parameters and q's), for any q with a log_prob w.r.t. the direct-sum measure
// (another GaussianSparsemax, a mixed prior). A q that gives a face of p zero probability (a Dirichlet on the
// interior, say) yields +inf or NaN, as the KL is infinite.
GaussianSparsemax::Estimate monte_carlo_kl(const GaussianSparsemax& p, const Distribution& q,
                                           int64_t num_samples,
                                           c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace mixdist
