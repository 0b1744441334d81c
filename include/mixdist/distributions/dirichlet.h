#pragma once

// Dirichlet(concentration) on the relative interior of the simplex (the last dim of concentration is K),
// event_shape {K}. Density w.r.t. Lebesgue measure on the first K-1 coordinates (the coordinate convention of
// docs/math.md#the-direct-sum-base-measure, the standard Dirichlet density). Reparameterised through the
// implicit gradient of at::_standard_gamma, sampled in log space so that tiny concentrations (1e-3) never
// give 0/0.

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class Dirichlet : public Distribution {
 public:
  explicit Dirichlet(const at::Tensor& concentration, c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "Dirichlet"; }
  bool has_rsample() const override { return true; }
  at::Tensor log_prob(const at::Tensor& value) const override;
  at::Tensor entropy() const override;
  at::Tensor mean() const override;
  at::Tensor mode() const override;
  at::Tensor variance() const override;
  Dirichlet expand(at::IntArrayRef batch_shape) const;

  const at::Tensor& concentration() const { return concentration_; }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor concentration_;
};

at::Tensor kl_divergence(const Dirichlet& p, const Dirichlet& q);

// log y ~ log Dirichlet(alpha), computed stably: log G_k - logsumexp(log G) with log G = log Gamma(alpha + 1)
// + log(U) / alpha (so G ~ Gamma(alpha) without underflow for small alpha). Differentiable in alpha.
at::Tensor sample_log_dirichlet(const at::Tensor& alpha, c10::optional<at::Generator> generator);

}  // namespace mixdist
