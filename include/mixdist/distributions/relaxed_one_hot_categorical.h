#pragma once

/// @file
/// @brief RelaxedOneHotCategorical (Gumbel-Softmax / Concrete), optionally straight-through.
///
/// RelaxedOneHotCategorical(logits, tau), the Gumbel-Softmax / Concrete distribution (Jang et al., 2017;
/// Maddison et al., 2017): y = softmax((logits + g) / tau), g ~ Gumbel(0, 1), on the interior of the simplex,
/// event_shape {K}. Density w.r.t. Lebesgue measure on the first K-1 coordinates (the coordinate convention
/// of `docs/math.md#the-direct-sum-base-measure`). With straight_through, rsample returns one_hot(argmax y)
/// in the forward pass and the gradient of y in the backward pass (Bengio et al., 2013); log_prob then still
/// scores relaxed points (`docs/math.md#gumbel-softmax`).

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// The Gumbel-Softmax law y = softmax((logits + g) / temperature) on the interior of the simplex.
///
/// Batch shape: logits' shape without its last dim; event shape {K}. Reparameterised (differentiable in the
/// logits). The entropy has no closed form: entropy_mc estimates it.
///
/// @code
/// mixdist::RelaxedOneHotCategorical gs(torch::randn({2, 5}), 0.5, /*straight_through=*/true);
/// at::Tensor y = gs.rsample();  // [2, 5], one-hot forward, relaxed gradient
/// @endcode
class RelaxedOneHotCategorical : public Distribution {
 public:
  /// @param logits floating [..., K], no NaN (normalised by log-softmax on construction).
  /// @param temperature tau, positive and finite.
  /// @param straight_through whether rsample/sample return one_hot(argmax y) with the gradient of y.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if `logits` is undefined, not floating or 0-dim, `temperature` is not positive and
  ///   finite, or (validation on) `logits` holds a NaN.
  RelaxedOneHotCategorical(const at::Tensor& logits, double temperature, bool straight_through = false,
                           c10::optional<bool> validate_args = c10::nullopt);

  /// "RelaxedOneHotCategorical".
  std::string name() const override { return "RelaxedOneHotCategorical"; }
  /// The interior of the simplex (entries > 0 summing to 1 within 1e-4).
  constraints::ConstraintPtr support() const override { return constraints::simplex_interior(); }
  /// logits: real (no NaN).
  ArgConstraints arg_constraints() const override { return {{"logits", constraints::real()}}; }
  /// true.
  bool has_rsample() const override { return true; }
  /// The Concrete log-density of a relaxed point [..., K], exact.
  /// @throws c10::Error (validation on) if a row is not inside the simplex (a one-hot straight-through draw
  ///   is not) or the shape does not fit.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// Relaxed draws with their log-densities.
  ///
  /// The entropy has no closed form (entropy_mc estimates it). Relaxed draws (never straight-through ones),
  /// made and scored in log space so that entries that underflow to 0 do not spoil the estimate.
  /// @param num_samples number of draws, >= 1.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 1.
  SampleWithLogProb sample_with_log_prob(
      int64_t num_samples, c10::optional<at::Generator> generator = c10::nullopt) const override;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  RelaxedOneHotCategorical expand(at::IntArrayRef batch_shape) const;

  /// The normalised logits (log-softmax of those given), [..., K].
  const at::Tensor& logits() const { return logits_; }  // normalised
  /// The temperature tau.
  double temperature() const { return temperature_; }
  /// Whether samples are straight-through one-hot vectors.
  bool straight_through() const { return straight_through_; }

 protected:
  /// Relaxed draws, passed through straight_through_one_hot when straight_through().
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
  double temperature_;
  bool straight_through_;
};

/// one_hot(argmax y) forward, identity backward.
///
/// The forward value is exactly one-hot (ties go to the first maximum); the gradient passes to y unchanged.
/// @param y [..., K], usually a relaxed sample.
/// @return [..., K], y's dtype.
///
/// @code
/// at::Tensor hard = mixdist::straight_through_one_hot(at::softmax(logits, -1));
/// @endcode
at::Tensor straight_through_one_hot(const at::Tensor& y);

}  // namespace distributions
}  // namespace mixdist
