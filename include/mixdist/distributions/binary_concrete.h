#pragma once

/// @file
/// @brief BinaryConcrete (RelaxedBernoulli) on (0, 1), and safe Logistic and Gumbel noise.
///
/// BinaryConcrete(logits a, temperature tau), a.k.a. RelaxedBernoulli (Maddison et al., 2017; Jang et al.,
/// 2017): X = sigmoid((a + L) / tau), L ~ Logistic(0, 1). A continuous variable on (0, 1), event_shape {}.
/// Densities are exact (the authors' code adds EPS = 1e-4 inside its logs; `docs/math.md#binary-concrete`).

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// The Binary Concrete law X = sigmoid((logits + L) / temperature), L ~ Logistic(0, 1), on (0, 1).
///
/// Batch shape: the shape of `logits`; event shape {}. Reparameterised (differentiable in the logits). The
/// entropy has no closed form: entropy_mc estimates it.
///
/// @code
/// mixdist::BinaryConcrete bc(torch::zeros({4}), 0.5);
/// at::Tensor x = bc.rsample({10});  // [10, 4] in (0, 1)
/// @endcode
class BinaryConcrete : public Distribution {
 public:
  /// @param logits floating, any shape, no NaN.
  /// @param temperature tau, positive and finite.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if `logits` is undefined or not floating, `temperature` is not positive and finite,
  ///   or (validation on) `logits` holds a NaN.
  BinaryConcrete(const at::Tensor& logits, double temperature,
                 c10::optional<bool> validate_args = c10::nullopt);

  /// "BinaryConcrete".
  std::string name() const override { return "BinaryConcrete"; }
  /// The open interval (0, 1).
  constraints::ConstraintPtr support() const override { return constraints::open_unit_interval(); }
  /// logits: real (no NaN).
  ArgConstraints arg_constraints() const override { return {{"logits", constraints::real()}}; }
  /// true.
  bool has_rsample() const override { return true; }
  /// Density w.r.t. Lebesgue measure on (0, 1), exact.
  /// @throws c10::Error (validation on) if a value lies outside (0, 1) or the shape does not broadcast.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// P(X <= x) = sigmoid(tau logit(x) - a), exact; value is not validated.
  at::Tensor cdf(const at::Tensor& value) const;
  /// Reparameterised draws with their log-densities.
  ///
  /// The entropy has no closed form (entropy_mc estimates it). Draws are made in logit space and scored
  /// there, so no draw that rounds to exactly 0 or 1 spoils the estimate.
  /// @param num_samples number of draws, >= 1.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 1.
  SampleWithLogProb sample_with_log_prob(
      int64_t num_samples, c10::optional<at::Generator> generator = c10::nullopt) const override;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  BinaryConcrete expand(at::IntArrayRef batch_shape) const;

  /// The logits a, as given.
  const at::Tensor& logits() const { return logits_; }
  /// The temperature tau.
  double temperature() const { return temperature_; }

  /// logit(X) = (a + L) / tau, computed directly (no round trip through (0, 1)); differentiable in the
  /// logits.
  /// @param sample_shape the leading dims; the result is extended_shape(sample_shape).
  /// @param generator the random generator (the default one if absent).
  at::Tensor rsample_logit(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const;

 protected:
  /// sigmoid(rsample_logit(...)), differentiable in the logits.
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
  double temperature_;
};

/// Logistic(0, 1) noise of the given shape.
///
/// Drawn from uniforms kept away from 0 and 1 (clamped to [smallest normal, 1 - epsilon] of the dtype), so
/// that log(U) - log(1 - U) is always finite (the NaN family of pytorch#22442 came from U = 0 or 1).
/// @param shape the shape of the result.
/// @param generator the random generator (the default one if absent).
/// @param o dtype and device of the result (floating).
///
/// @code
/// at::Tensor l = mixdist::logistic_noise({3}, c10::nullopt, at::TensorOptions().dtype(at::kFloat));
/// @endcode
at::Tensor logistic_noise(at::IntArrayRef shape, c10::optional<at::Generator> generator,
                          const at::TensorOptions& o);

/// Gumbel(0, 1) noise, -log(-log U) from the same safe uniforms as logistic_noise (always finite).
/// @param shape the shape of the result.
/// @param generator the random generator (the default one if absent).
/// @param o dtype and device of the result (floating).
at::Tensor gumbel_noise(at::IntArrayRef shape, c10::optional<at::Generator> generator,
                        const at::TensorOptions& o);

}  // namespace distributions
}  // namespace mixdist
