#pragma once

/// @file
/// @brief Categorical: a class index drawn from K classes.
///
/// Categorical(logits) over K classes (the last dim of logits): values are int64 class indices, event_shape
/// {}. Logits are normalised on construction (log-softmax); -inf logits give classes of probability 0.

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// A categorical law over K classes given by unnormalised logits [..., K]; values are int64 indices.
///
/// Batch shape: logits' shape without its last dim; event shape {}. No reparameterised sampler.
///
/// @code
/// mixdist::Categorical c(torch::randn({2, 5}));
/// at::Tensor i = c.sample({10});  // [10, 2], int64 in 0..4
/// @endcode
class Categorical : public Distribution {
 public:
  /// @param logits floating [..., K], K >= 1, no NaN, at least one entry above -inf per row.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if `logits` is undefined, not floating, 0-dim or has K = 0, or (validation on) holds
  ///   a NaN or a row of -inf only.
  explicit Categorical(const at::Tensor& logits, c10::optional<bool> validate_args = c10::nullopt);

  /// "Categorical".
  std::string name() const override { return "Categorical"; }
  /// Class indices 0 .. K-1.
  constraints::ConstraintPtr support() const override;
  /// logits: no NaN, at least one entry above -inf per row.
  ArgConstraints arg_constraints() const override;
  /// The log-probability of the class indices in `value`, exact.
  /// @param value integer class indices broadcasting with the batch shape.
  /// @throws c10::Error (validation on) if value is floating, an index lies outside 0 .. K-1 or the shape
  ///   does not broadcast.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// Exact entropy in nats (0 log 0 = 0), batch_shape.
  at::Tensor entropy() const override;
  /// The most probable class (argmax of the logits).
  at::Tensor mode() const override { return logits_.argmax(-1); }
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  Categorical expand(at::IntArrayRef batch_shape) const;

  /// K.
  int64_t num_classes() const { return logits_.size(-1); }
  /// The normalised logits (log-probabilities), [..., K].
  const at::Tensor& logits() const { return logits_; }  // normalised: logsumexp = 0
  /// The class probabilities, [..., K].
  at::Tensor probs() const { return logits_.exp(); }

 protected:
  /// Class indices drawn with at::multinomial (no gradient).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
};

/// KL(p || q) between Categoricals, exact (+inf where q excludes a class p charges), batch shape.
/// @throws c10::Error if the numbers of classes differ.
at::Tensor kl_divergence(const Categorical& p, const Categorical& q);

}  // namespace distributions
}  // namespace mixdist
