#pragma once

/// @file
/// @brief Bernoulli: independent bits parameterised by their logits.
///
/// Bernoulli(logits): independent bits, values 0/1 (floating), event_shape {}.

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// Independent Bernoulli bits with P(X = 1) = sigmoid(logits); values 0/1 in the logits' dtype.
///
/// Batch shape: the shape of `logits`; event shape {}. No reparameterised sampler (has_rsample() is false).
///
/// @code
/// mixdist::Bernoulli b(torch::zeros({4}));
/// at::Tensor x = b.sample({10});  // [10, 4] of 0/1
/// @endcode
class Bernoulli : public Distribution {
 public:
  /// @param logits floating, any shape, no NaN (+-inf allowed: a certain bit).
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if `logits` is undefined or not floating, or (validation on) holds a NaN.
  explicit Bernoulli(const at::Tensor& logits, c10::optional<bool> validate_args = c10::nullopt);

  /// "Bernoulli".
  std::string name() const override { return "Bernoulli"; }
  /// {0, 1}.
  constraints::ConstraintPtr support() const override { return constraints::boolean(); }
  /// logits: real (no NaN).
  ArgConstraints arg_constraints() const override { return {{"logits", constraints::real()}}; }
  /// log P(X = value) = value * logits - softplus(logits), exact.
  /// @param value 0/1 entries broadcasting with the batch shape.
  /// @throws c10::Error (validation on) if an entry is not 0 or 1 or the shape does not broadcast.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// Exact entropy in nats, batch_shape.
  at::Tensor entropy() const override;
  /// P(X = 1).
  at::Tensor mean() const override { return probs(); }
  /// 1 where logits > 0, else 0.
  at::Tensor mode() const override { return (logits_ > 0).to(logits_.scalar_type()); }
  /// p (1 - p).
  at::Tensor variance() const override;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  Bernoulli expand(at::IntArrayRef batch_shape) const;

  /// The logits, as given.
  const at::Tensor& logits() const { return logits_; }
  /// P(X = 1) = sigmoid(logits).
  at::Tensor probs() const { return logits_.sigmoid(); }

 protected:
  /// Bernoulli draws (no gradient).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
};

/// KL(p || q) between Bernoullis, exact, elementwise (shapes broadcast).
at::Tensor kl_divergence(const Bernoulli& p, const Bernoulli& q);

}  // namespace distributions
}  // namespace mixdist
