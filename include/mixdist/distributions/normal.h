#pragma once

/// @file
/// @brief Normal: independent (diagonal) Gaussians, reparameterised.
///
/// Normal(loc, scale): independent Gaussians, event_shape {} (use it as a diagonal Gaussian by summing
/// log_prob over the last dim). Reparameterised: loc + scale * eps.

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// Independent Gaussians N(loc, scale^2), event shape {}; rsample is loc + scale * eps.
///
/// Batch shape: the broadcast shape of `loc` and `scale`.
///
/// @code
/// mixdist::Normal n(torch::zeros({3}), torch::ones({3}));
/// at::Tensor lp = n.log_prob(n.rsample({8})).sum(-1);  // diagonal Gaussian, [8]
/// @endcode
class Normal : public Distribution {
 public:
  /// @param loc floating, no NaN.
  /// @param scale floating, positive and finite, broadcasting with `loc`.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if the shapes do not broadcast, a tensor is undefined or not floating, or
  ///   (validation on) a value violates its constraint.
  Normal(const at::Tensor& loc, const at::Tensor& scale, c10::optional<bool> validate_args = c10::nullopt);

  /// "Normal".
  std::string name() const override { return "Normal"; }
  /// The real line.
  constraints::ConstraintPtr support() const override { return constraints::real(); }
  /// loc: real; scale: positive.
  ArgConstraints arg_constraints() const override {
    return {{"loc", constraints::real()}, {"scale", constraints::positive()}};
  }
  /// true.
  bool has_rsample() const override { return true; }
  /// The Gaussian log-density, exact.
  /// @throws c10::Error (validation on) if value holds a NaN or does not broadcast with the batch shape.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// 1/2 + log(sqrt(2 pi) scale), exact.
  at::Tensor entropy() const override;
  /// loc.
  at::Tensor mean() const override { return loc_; }
  /// loc.
  at::Tensor mode() const override { return loc_; }
  /// scale^2.
  at::Tensor variance() const override { return scale_ * scale_; }
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  Normal expand(at::IntArrayRef batch_shape) const;

  /// The means, broadcast to the batch shape.
  const at::Tensor& loc() const { return loc_; }
  /// The standard deviations, broadcast to the batch shape.
  const at::Tensor& scale() const { return scale_; }

 protected:
  /// loc + scale * eps, eps ~ N(0, 1).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor loc_, scale_;
};

/// KL(p || q) between Normals, exact, elementwise (shapes broadcast).
at::Tensor kl_divergence(const Normal& p, const Normal& q);

}  // namespace distributions
}  // namespace mixdist
