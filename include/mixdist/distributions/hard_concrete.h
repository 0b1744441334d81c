#pragma once

/// @file
/// @brief HardConcrete: a stretched and clipped BinaryConcrete, a mixed variable on [0, 1].
///
/// HardConcrete(logits a, temperature tau, l = -0.1, r = 1.1) (Louizos et al., 2018): stretch a
/// BinaryConcrete X to S = l + (r - l) X and clip to [0, 1]. A mixed variable: masses
/// P(Y = 0) = F_X(-l / (r - l)) and P(Y = 1) = 1 - F_X((1 - l) / (r - l)), and a density on (0, 1). log_prob
/// is w.r.t. the direct-sum measure (counting on {0, 1}, Lebesgue on (0, 1)), so the mass and the density
/// never mix in one number (`docs/math.md#hard-concrete`).

#include "mixdist/distributions/binary_concrete.h"
#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// The Hard Concrete law Y = clip(l + (r - l) X, 0, 1), X ~ BinaryConcrete(logits, temperature).
///
/// Batch shape: the shape of `logits`; event shape {}. Reparameterised (differentiable in the logits; the
/// gradient vanishes on clipped draws). The direct-sum entropy has no closed form: entropy_mc estimates it.
///
/// @code
/// mixdist::HardConcrete gate(torch::zeros({16}), 2.0 / 3.0);
/// at::Tensor penalty = gate.expected_l0().sum();
/// @endcode
class HardConcrete : public Distribution {
 public:
  /// @param logits floating, any shape, no NaN.
  /// @param temperature tau, positive and finite.
  /// @param lower l, the stretch interval's lower end, < 0.
  /// @param upper r, the stretch interval's upper end, > 1.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if `logits` is undefined or not floating, `temperature` is not positive and finite,
  ///   lower >= 0 or upper <= 1, or (validation on) `logits` holds a NaN.
  HardConcrete(const at::Tensor& logits, double temperature, double lower = -0.1, double upper = 1.1,
               c10::optional<bool> validate_args = c10::nullopt);

  /// "HardConcrete".
  std::string name() const override { return "HardConcrete"; }
  /// The closed interval [0, 1].
  constraints::ConstraintPtr support() const override { return constraints::unit_interval(); }
  /// logits: real (no NaN).
  ArgConstraints arg_constraints() const override { return {{"logits", constraints::real()}}; }
  /// true.
  bool has_rsample() const override { return true; }
  /// log P(Y = 0) at 0, log P(Y = 1) at 1, the log-density inside (0, 1); exact.
  /// @throws c10::Error (validation on) if a value lies outside [0, 1] or the shape does not broadcast.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// P(Y = 0), exact.
  at::Tensor prob_zero() const;
  /// P(Y = 1), exact.
  at::Tensor prob_one() const;
  /// E[number of nonzeros] per entry = P(Y != 0): the expected-L0 penalty.
  at::Tensor expected_l0() const { return 1 - prob_zero(); }
  /// E[dim F] = P(0 < Y < 1), exact. (The direct-sum entropy has no closed form: entropy_mc (Distribution's)
  /// estimates E[-log p(Y)].)
  at::Tensor expected_face_dim() const { return 1 - prob_zero() - prob_one(); }
  /// Code length in bits at N-bit precision (code_length.h) from the Monte Carlo entropy of entropy_mc and
  /// the exact E[dim F]; the standard error is the entropy's, in bits.
  /// @param precision_bits N.
  /// @param num_samples draws per batch element, >= 2.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 2.
  Estimate entropy_bits_mc(double precision_bits, int64_t num_samples,
                           c10::optional<at::Generator> generator = c10::nullopt) const;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  HardConcrete expand(at::IntArrayRef batch_shape) const;

  /// The underlying BinaryConcrete X.
  const BinaryConcrete& base() const { return base_; }
  /// l.
  double lower() const { return lower_; }
  /// r.
  double upper() const { return upper_; }

 protected:
  /// clamp(l + (r - l) X, 0, 1) with X reparameterised.
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  BinaryConcrete base_;
  double lower_, upper_;
};

}  // namespace distributions
}  // namespace mixdist
