#pragma once

/// @file
/// @brief GaussianSparsemax: sparsemax of a diagonal Gaussian, a mixed distribution on the simplex.
///
/// GaussianSparsemax(loc, scale): the extrinsic ("sample and project") mixed distribution on the simplex,
/// Y = sparsemax(Z) with Z ~ N(loc, diag(scale^2)) (`docs/math.md#gaussian-sparsemax`). event_shape {K}; loc
/// and scale [..., K] broadcast to each other, batch_shape = the broadcast shape without its last dim.
///
/// Density w.r.t. the direct-sum measure (counting measure on vertices, Lebesgue measure on the free
/// coordinates of each higher face, `docs/math.md#the-direct-sum-base-measure`): for y with support S
/// (s = |S|) and zero set Z,
///   log p(y) = log s + log C + log E_{tau ~ N(m, c)}[prod_{j in Z} Phi((tau - loc_j) / scale_j)]
///   (`docs/math.md#gaussian-sparsemax-density`),
/// the expectation by adaptive Gauss–Kronrod quadrature (GaussianSparsemaxOptions), row by row in a CPU
/// kernel, with its gradient from the same panels. K = 1 (log p = 0) and K = 2 (a clipped Gaussian of the
/// difference z_1 - z_2) use closed forms.
///
/// Face probabilities are exact for vertices and for K <= 2 (face_probability); higher faces with K >= 3 have
/// no closed form and are estimated by Monte Carlo with a reported standard error (face_probability_mc). The
/// entropy is closed form for K <= 2 (entropy) and a Monte Carlo estimate otherwise (entropy_mc); KL
/// divergences are Monte Carlo (kl_divergence_mc, kl.h), as in the reference code, but with the sample count
/// as a parameter and a standard error.

#include <ATen/ATen.h>
#include <torch/arg.h>

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// Options of a GaussianSparsemax: how the CDF integral of its density is computed.
///
/// @code
/// mixdist::GaussianSparsemaxOptions().quadrature_tolerance(1e-10)
/// @endcode
struct GaussianSparsemaxOptions {
  /// The CDF integral of log p, ∫ N(tau; m, c) prod_{j in Z} Phi((tau - mu_j)/sigma_j) dtau, by adaptive
  /// Gauss–Kronrod (the default): 7/15-point panels graded away from the integrand's mode (found by Newton's
  /// method) at 1, 2, 3.5 and 20 times the distance where its log has dropped by 2 on each side
  /// (log-concavity bounds what lies beyond by e^-40), then the panel with the largest estimated error is
  /// split, at the edge of a sharp Phi cut-off when one lies inside, until the estimated relative error is
  /// below quadrature_tolerance (at most 200 panels). In log space (the integrand is scaled by its value at
  /// the mode), so vertices with log p down to -2e4 keep their relative accuracy. Measured against a
  /// long-double trapezoid reference (tests/distributions/test_gaussian_sparsemax.cpp): at most 4e-12 in log
  /// p on 104 hard cases (K = 3..10, scales 1e-2..1e2 apart, CDF cut-offs next to and far from the mode,
  /// vertices with log p down to -5e3) with 170 integrand evaluations per density on average (120 to 480),
  /// and at most 3e-12 on the cases of the fixed rule below; rows sampled at unit scales take about 160 (K =
  /// 10) to 180 (K = 100). Differentiable once (the gradient is the same rule applied to the integrand's
  /// derivative); a second derivative needs adaptive_quadrature(false).
  TORCH_ARG(bool, adaptive_quadrature) = true;
  /// Relative error target of the adaptive rule, in (0, 1e-2]. The error estimate (QUADPACK's) is usually
  /// pessimistic, but not always: at 1e-8 one hard case was off by 1.7e-9, at 1e-9 none by more than 4e-12.
  TORCH_ARG(double, quadrature_tolerance) = 1e-9;
  /// adaptive_quadrature(false): a fixed Gauss–Hermite rule of this many nodes (1..2048) in ATen ops,
  /// differentiable to any order but slow to converge when scales differ widely. On the cases of
  /// tests/distributions/test_gaussian_sparsemax.cpp with scales within a factor 10 of each other (the
  /// vectors of `docs/math.md#reference-values-used-by-the-tests`, vertices with log p down to -300) 32 nodes
  /// reach 1e-13 in log p except for the heterogeneous case (1.4e-4), which 64 nodes bring to 6e-7. A
  /// zero-set scale 60x below the support's converges slowly (6e-2 at 32 nodes, 5e-3 at 128, 3e-4 at 512),
  /// and on the hard-case grid 64 nodes leave errors up to 5e-2.
  TORCH_ARG(int64_t, quadrature_nodes) = 64;
  /// Fixed rule only: centre and stretch it on the integrand's mode and one-sided widths. false integrates
  /// around N(m, c) itself, as a plain Gauss–Hermite rule would; kept to measure what the centring buys.
  TORCH_ARG(bool, centre_on_mode) = true;
  /// Use the closed forms for K = 2 (exact); false sends K = 2 through the general quadrature path.
  TORCH_ARG(bool, closed_form_k2) = true;
};

/// The Gaussian-Sparsemax law Y = sparsemax(Z), Z ~ N(loc, diag(scale^2)), on the simplex.
///
/// Batch shape: the broadcast shape of `loc` and `scale` without its last dim; event shape {K}.
/// Reparameterised (sparsemax is differentiable almost everywhere). Exact: log_prob (up to the quadrature's
/// tolerance for K >= 3), vertex_log_probs, face_probability (vertices, K <= 2), entropy (K <= 2); Monte
/// Carlo: entropy_mc, entropy_bits_mc, face_probability_mc and kl_divergence_mc (kl.h).
///
/// @code
/// mixdist::GaussianSparsemax gsp(torch::zeros({4}), torch::ones({4}));
/// mixdist::SampleWithLogProb s = gsp.sample_with_log_prob(16);  // s.value [16, 4], s.log_prob [16]
/// @endcode
class GaussianSparsemax : public Distribution {
 public:
  /// @param loc floating [..., K], K >= 1, finite.
  /// @param scale floating [..., K] (or broadcasting with `loc`), positive and finite.
  /// @param options see GaussianSparsemaxOptions.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if a tensor is undefined or not floating, the shapes do not broadcast, `loc` is
  ///   0-dim, K = 0, options.quadrature_nodes is outside [1, 2048], options.quadrature_tolerance is outside
  ///   (0, 1e-2], or (validation on) a value violates its constraint.
  GaussianSparsemax(const at::Tensor& loc, const at::Tensor& scale,
                    GaussianSparsemaxOptions options = GaussianSparsemaxOptions(),
                    c10::optional<bool> validate_args = c10::nullopt);

  /// "GaussianSparsemax".
  std::string name() const override { return "GaussianSparsemax"; }
  /// The simplex (rows >= 0 summing to 1 within 1e-4).
  constraints::ConstraintPtr support() const override { return constraints::simplex(); }
  /// loc: finite; scale: positive.
  ArgConstraints arg_constraints() const override {
    return {{"loc", constraints::finite()}, {"scale", constraints::positive()}};
  }
  /// true.
  bool has_rsample() const override { return true; }

  /// log density of value [..., K] w.r.t. the direct-sum measure, its face taken as value > 0
  /// (`docs/math.md#faces-of-the-simplex`).
  ///
  /// Closed form for K <= 2 (K = 1: 0); for K >= 3 the CDF integral by quadrature (GaussianSparsemaxOptions),
  /// computed in double and cast to the result dtype. Differentiable in loc and scale (and in value).
  /// @param value floating [..., K] on the simplex, its batch dims broadcasting with the batch shape.
  /// @return broadcast(value batch dims, batch_shape).
  /// @throws c10::Error (validation on) if value is not floating, not on the simplex or of a wrong shape.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// The same with the face given explicitly (bool [..., K], broadcasting with value): value must vanish off
  /// the face and may hold zeros inside it (a coordinate that underflowed), which then count as in the face.
  /// @throws c10::Error (validation on) as log_prob(value), or if face is not a face mask or value is nonzero
  ///   outside it.
  at::Tensor log_prob(const at::Tensor& value, const at::Tensor& face) const;

  /// Exact for K <= 2: 0 for K = 1; for K = 2 the clipped-Gaussian entropy of ClippedGaussian. An error for
  /// K >= 3, where entropy_mc (E[-log p(Y)] over reparameterised draws, differentiable in loc and scale)
  /// gives an estimate.
  /// @throws c10::Error naming entropy_mc if K >= 3.
  at::Tensor entropy() const override;
  /// H+/ln 2 + N E[dim F] (code_length.h), exact where entropy() is (K <= 2; E[dim F] = P(edge) for K = 2).
  /// @param precision_bits N.
  /// @throws c10::Error naming entropy_bits_mc if K >= 3.
  at::Tensor entropy_bits(double precision_bits) const;
  /// The same by Monte Carlo for any K: the mean of -log2 p(Y) + N dim F(Y) over num_samples >= 2 draws.
  /// @param precision_bits N.
  /// @param num_samples draws per batch element, >= 2.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 2.
  Estimate entropy_bits_mc(double precision_bits, int64_t num_samples,
                           c10::optional<at::Generator> generator = c10::nullopt) const;
  /// Draws with their log-densities, each on the face it was drawn on (its support).
  /// @param num_samples number of draws, >= 1.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 1.
  SampleWithLogProb sample_with_log_prob(
      int64_t num_samples, c10::optional<at::Generator> generator = c10::nullopt) const override;

  /// log P(Y = e_k) for every vertex, [..., K] (exact: the 1-D integral).
  at::Tensor vertex_log_probs() const;
  /// P(Y in ri(face)) for a face mask [..., K] broadcasting with the batch, exact: for vertices (any K) and
  /// every face when K <= 2. A higher face with K >= 3 is an error naming face_probability_mc.
  /// @throws c10::Error if face is not a face mask [..., K], or names face_probability_mc for a higher face
  ///   with K >= 3.
  at::Tensor face_probability(const at::Tensor& face) const;
  /// The same for any face: exact (standard error 0) where face_probability is, otherwise the frequency of
  /// the face among num_samples >= 2 draws with its binomial standard error.
  /// @param face face mask [..., K] (bool or 0/1) broadcasting with the batch.
  /// @param num_samples draws per batch element, >= 2 (checked even where nothing is sampled).
  /// @param generator the random generator (the default one if absent).
  /// @return Estimate of shape broadcast(face batch dims, batch_shape); no gradient through sampled faces.
  /// @throws c10::Error if face is not a face mask [..., K] or num_samples < 2.
  Estimate face_probability_mc(const at::Tensor& face, int64_t num_samples,
                               c10::optional<at::Generator> generator = c10::nullopt) const;

  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  GaussianSparsemax expand(at::IntArrayRef batch_shape) const;

  /// The locations, broadcast to batch_shape + [K].
  const at::Tensor& loc() const { return loc_; }
  /// The scales, broadcast to batch_shape + [K].
  const at::Tensor& scale() const { return scale_; }
  /// The options it was built with.
  const GaussianSparsemaxOptions& options() const { return options_; }
  /// K.
  int64_t num_vertices() const { return loc_.size(-1); }

 protected:
  /// sparsemax(loc + scale * eps), differentiable in loc and scale.
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  // log_prob without validation, the face as a bool mask.
  at::Tensor log_prob_on_face(const at::Tensor& value, const at::Tensor& face) const;
  at::Tensor log_prob_general(const at::Tensor& value, const at::Tensor& face) const;
  at::Tensor log_prob_k2(const at::Tensor& value, const at::Tensor& face) const;

  at::Tensor loc_, scale_;
  GaussianSparsemaxOptions options_;
};

}  // namespace distributions
}  // namespace mixdist
