#pragma once

/// @file
/// @brief Dirichlet on the interior of the simplex, reparameterised, and a stable log-space sampler.
///
/// Dirichlet(concentration) on the relative interior of the simplex (the last dim of concentration is K),
/// event_shape {K}. Density w.r.t. Lebesgue measure on the first K-1 coordinates (the coordinate convention
/// of `docs/math.md#the-direct-sum-base-measure`, the standard Dirichlet density). Reparameterised through
/// the implicit gradient of at::_standard_gamma, sampled in log space so that tiny concentrations (1e-3)
/// never give 0/0.

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// The Dirichlet law Dir(concentration) on the simplex, event shape {K}.
///
/// Batch shape: concentration's shape without its last dim. rsample is differentiable in the concentration.
///
/// @code
/// mixdist::Dirichlet d(torch::full({3}, 0.5));
/// at::Tensor y = d.rsample({4});  // [4, 3], rows on the simplex
/// @endcode
class Dirichlet : public Distribution {
 public:
  /// @param concentration floating [..., K], positive and finite.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if `concentration` is undefined, not floating or 0-dim, or (validation on) not
  ///   positive and finite.
  explicit Dirichlet(const at::Tensor& concentration, c10::optional<bool> validate_args = c10::nullopt);

  /// "Dirichlet".
  std::string name() const override { return "Dirichlet"; }
  /// The simplex (rows >= 0 summing to 1 within 1e-4).
  constraints::ConstraintPtr support() const override { return constraints::simplex(); }
  /// concentration: positive.
  ArgConstraints arg_constraints() const override { return {{"concentration", constraints::positive()}}; }
  /// true.
  bool has_rsample() const override { return true; }
  /// The Dirichlet log-density of value [..., K], exact (-inf or NaN at a zero coordinate).
  /// @throws c10::Error (validation on) if a row is not on the simplex or the shape does not fit.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// Exact differential entropy, batch_shape.
  at::Tensor entropy() const override;
  /// concentration / sum(concentration).
  at::Tensor mean() const override;
  /// (a - 1) / (a0 - K) where every concentration exceeds 1, NaN elsewhere (as torch.distributions).
  at::Tensor mode() const override;
  /// The variance of each coordinate, m (1 - m) / (a0 + 1).
  at::Tensor variance() const override;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  Dirichlet expand(at::IntArrayRef batch_shape) const;

  /// The concentrations, [..., K].
  const at::Tensor& concentration() const { return concentration_; }

 protected:
  /// exp(dirichlet_log_sample), differentiable in the concentration.
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor concentration_;
};

/// KL(p || q) between Dirichlets, exact, batch shape.
/// @throws c10::Error if the numbers of coordinates differ.
at::Tensor kl_divergence(const Dirichlet& p, const Dirichlet& q);

/// log y for y ~ Dirichlet(alpha), computed stably in log space.
///
/// log G_k - logsumexp(log G) with log G = log Gamma(alpha + 1) + log(U) / alpha (so G ~ Gamma(alpha) without
/// underflow for small alpha); computed in double and cast back to alpha's dtype. Differentiable in alpha. No
/// argument is checked.
/// @param alpha floating [..., K], positive; the result has its shape.
/// @param generator the random generator (the default one if absent).
///
/// @code
/// at::Tensor log_y = mixdist::dirichlet_log_sample(torch::full({3}, 1e-3), c10::nullopt);
/// @endcode
at::Tensor dirichlet_log_sample(const at::Tensor& alpha, c10::optional<at::Generator> generator);

}  // namespace distributions
}  // namespace mixdist
