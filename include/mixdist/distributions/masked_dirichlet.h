#pragma once

/// @file
/// @brief MaskedDirichlet: a Dirichlet on one face of the simplex, and its building blocks.
///
/// MaskedDirichlet(face, concentration): the Dirichlet of the sub-vector concentration_f on the face f
/// (`docs/math.md#masked-dirichlet`), the within-face law of the Mixed Dirichlet. Values are points of the
/// simplex [..., K] that are exactly 0 outside f; event_shape {K}. The density is w.r.t. Lebesgue measure on
/// the |f| - 1 free coordinates of the face (`docs/math.md#the-direct-sum-base-measure`), and is 1 (log 0) on
/// a one-vertex face.
///
/// Numerics (`docs/math.md#underflowing-dirichlet-coordinates`): with concentrations near 1e-3, Gamma draws
/// underflow and a coordinate of the face can round to 0, after which (y > 0) no longer recovers the face.
/// The sampler works in log space and keeps every coordinate of the face at least the smallest normal number
/// of the dtype, so samples are exactly 0 outside the face and strictly positive inside it; the face itself
/// stays part of the distribution and log_prob uses it rather than re-deriving it from the value. No
/// lgamma(0) or 0 * log 0 is ever evaluated (masked coordinates are replaced by neutral values before the
/// special functions).

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// The Dirichlet of concentration_f on a given face f, exactly 0 outside it: Y | F = f of the Mixed
/// Dirichlet.
///
/// Batch shape: the broadcast of the batch shapes of face and concentration; event shape {K}. Reparameterised
/// (implicit gradient, to the concentrations of the face).
///
/// @code
/// mixdist::MaskedDirichlet md(torch::tensor({true, false, true}), torch::full({3}, 0.5));
/// at::Tensor y = md.rsample({4});  // [4, 3], y[..., 1] == 0
/// @endcode
class MaskedDirichlet : public Distribution {
 public:
  /// Batch shape is the broadcast of both batch shapes.
  /// @param face [..., K] face mask (bool or 0/1), every row non-empty; stored as bool.
  /// @param concentration floating [..., K], positive and finite (also outside the face, when validated).
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if a tensor is undefined or 0-dim, concentration is not floating, the last dims
  ///   differ, the batch shapes do not broadcast, or (validation on) face is not a face mask or concentration
  ///   is not positive and finite.
  MaskedDirichlet(const at::Tensor& face, const at::Tensor& concentration,
                  c10::optional<bool> validate_args = c10::nullopt);

  /// "MaskedDirichlet".
  std::string name() const override { return "MaskedDirichlet"; }
  /// The simplex (rows >= 0 summing to 1 within 1e-4); log_prob also requires 0 outside the face.
  constraints::ConstraintPtr support() const override { return constraints::simplex(); }
  /// face: face mask; concentration: positive.
  ArgConstraints arg_constraints() const override {
    return {{"face", constraints::face_mask()}, {"concentration", constraints::positive()}};
  }
  /// true.
  bool has_rsample() const override { return true; }
  /// Log density of a point of this distribution's face, exact. Coordinates of the face that underflowed
  /// to 0 are evaluated at the smallest normal number (the sampler's floor); coordinates outside the face
  /// must be 0.
  /// @throws c10::Error (validation on) if value is not on the simplex, is nonzero outside the face or its
  ///   shape does not fit.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// H = sum_f lgamma(a_i) - lgamma(a0) + (a0 - n) psi(a0) - sum_f (a_i - 1) psi(a_i); 0 on a vertex. Exact.
  at::Tensor entropy() const override;
  /// concentration_f / sum(concentration_f) on the face, 0 outside it.
  at::Tensor mean() const override;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  MaskedDirichlet expand(at::IntArrayRef batch_shape) const;

  /// K.
  int64_t num_vertices() const { return concentration_.size(-1); }
  /// The face, bool, batch_shape + [K].
  const at::Tensor& face() const { return face_; }  // bool, batch_shape + [K]
  /// The concentrations, batch_shape + [K] (entries outside the face are ignored).
  const at::Tensor& concentration() const { return concentration_; }

 protected:
  /// Implicit-reparameterisation sample (the gradient flows to the concentrations of the face).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor face_;
  at::Tensor concentration_;
};

/// KL(Dir(a_f) || Dir(b_f)) where both have the same face; +inf where the faces differ (the two laws are then
/// mutually singular). Exact, batch shape.
/// @throws c10::Error if the numbers of vertices differ.
at::Tensor kl_divergence(const MaskedDirichlet& p, const MaskedDirichlet& q);

// The building blocks, broadcasting face [..., K] (bool) against the concentrations; used by MixedDirichlet
// for the per-face terms. None validates its arguments.

/// y ~ Dir(alpha_f) on the face, 0 outside, every face coordinate >= the smallest normal of alpha's dtype.
///
/// A building block (used by MixedDirichlet for the per-face terms): it validates nothing. Drawn in double
/// and log space, cast to alpha's dtype. Differentiable in alpha (implicit gradient of at::_standard_gamma).
/// @param face bool [..., K], every row non-empty.
/// @param alpha floating [..., K], positive on the face (ignored outside it).
/// @param generator the random generator (the default one if absent).
/// @return shape broadcast(face, alpha).
///
/// @code
/// at::Tensor y = mixdist::masked_dirichlet_sample(face, alpha, c10::nullopt);
/// @endcode
at::Tensor masked_dirichlet_sample(const at::Tensor& face, const at::Tensor& alpha,
                                   c10::optional<at::Generator> generator);
/// log Dir(y_f | alpha_f) (0 on a vertex), exact; validates nothing.
/// @param value [..., K], 0 outside the face (face coordinates below the smallest normal count as it).
/// @param face bool [..., K], every row non-empty.
/// @param alpha floating [..., K], positive on the face.
/// @return the broadcast batch shape of the three tensors.
at::Tensor masked_dirichlet_log_prob(const at::Tensor& value, const at::Tensor& face,
                                     const at::Tensor& alpha);
/// H(Dir(alpha_f)), the entropy on the face (0 on a vertex), exact; validates nothing.
/// @param face bool [..., K], every row non-empty.
/// @param alpha floating [..., K], positive on the face.
at::Tensor masked_dirichlet_entropy(const at::Tensor& face, const at::Tensor& alpha);
/// KL(Dir(a_f) || Dir(b_f)) on a common face, exact; validates nothing.
/// @param face bool [..., K], every row non-empty.
/// @param a floating [..., K], positive on the face.
/// @param b floating [..., K], positive on the face.
at::Tensor masked_dirichlet_kl(const at::Tensor& face, const at::Tensor& a, const at::Tensor& b);

}  // namespace distributions
}  // namespace mixdist
