#pragma once

// MaskedDirichlet(face, concentration): the Dirichlet of the sub-vector concentration_f on the face f
// (docs/math.md#masked-dirichlet), the within-face law of the Mixed Dirichlet. Values are points of the
// simplex [..., K] that are exactly 0 outside f; event_shape {K}. The density is w.r.t. Lebesgue measure on
// the |f| - 1 free coordinates of the face (docs/math.md#the-direct-sum-base-measure), and is 1 (log 0) on a
// one-vertex face.
//
// Numerics (docs/math.md#underflowing-dirichlet-coordinates): with concentrations near 1e-3, Gamma draws
// underflow and a coordinate of the face can round to 0, after which (y > 0) no longer recovers the face. The
// sampler works in log space and keeps every coordinate of the face at least the smallest normal number of
// the dtype, so samples are exactly 0 outside the face and strictly positive inside it; the face itself stays
// part of the distribution and log_prob uses it rather than re-deriving it from the value. No lgamma(0) or 0
// * log 0 is ever evaluated (masked coordinates are replaced by neutral values before the special functions).

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class MaskedDirichlet : public Distribution {
 public:
  // face: [..., K] mask (bool or 0/1), every row non-empty; concentration: floating [..., K], positive
  // (entries outside the face are ignored). Batch shape is the broadcast of both batch shapes.
  MaskedDirichlet(const at::Tensor& face, const at::Tensor& concentration,
                  c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "MaskedDirichlet"; }
  bool has_rsample() const override { return true; }
  // Log density of a point of this distribution's face. Coordinates of the face that underflowed to 0 are
  // evaluated at the smallest normal number (the sampler's floor); coordinates outside the face must be 0.
  at::Tensor log_prob(const at::Tensor& value) const override;
  // H = sum_f lgamma(a_i) - lgamma(a0) + (a0 - n) psi(a0) - sum_f (a_i - 1) psi(a_i); 0 on a vertex.
  at::Tensor entropy() const override;
  at::Tensor mean() const override;
  MaskedDirichlet expand(at::IntArrayRef batch_shape) const;

  int64_t num_vertices() const { return concentration_.size(-1); }
  const at::Tensor& face() const { return face_; }  // bool, batch_shape + [K]
  const at::Tensor& concentration() const { return concentration_; }

 protected:
  // Implicit-reparameterisation sample (the gradient flows to the concentrations of the face).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor face_;
  at::Tensor concentration_;
};

// KL(Dir(a_f) || Dir(b_f)) where both have the same face; +inf where the faces differ (the two laws are then
// mutually singular).
at::Tensor kl_divergence(const MaskedDirichlet& p, const MaskedDirichlet& q);

// The building blocks, broadcasting face [..., K] (bool) against the concentrations; used by MixedDirichlet
// for the per-face terms. None validates its arguments.
//
// y ~ Dir(alpha_f) on the face, 0 outside, every face coordinate >= the smallest normal of alpha's dtype;
// shape broadcast(face, alpha). Differentiable in alpha (implicit gradient of at::_standard_gamma).
at::Tensor sample_masked_dirichlet(const at::Tensor& face, const at::Tensor& alpha,
                                   c10::optional<at::Generator> generator);
// log Dir(y_f | alpha_f) (0 on a vertex).
at::Tensor masked_dirichlet_log_prob(const at::Tensor& value, const at::Tensor& face,
                                     const at::Tensor& alpha);
// H(Dir(alpha_f)).
at::Tensor masked_dirichlet_entropy(const at::Tensor& face, const at::Tensor& alpha);
// KL(Dir(a_f) || Dir(b_f)).
at::Tensor masked_dirichlet_kl(const at::Tensor& face, const at::Tensor& a, const at::Tensor& b);

}  // namespace mixdist
