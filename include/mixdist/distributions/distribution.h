#pragma once

/// @file
/// @brief Distribution, the common interface of every distribution, and the global validation switch.
///
/// The Distribution interface: the C++ counterpart of torch.distributions.Distribution.
///
/// * batch_shape() / event_shape() as in torch.distributions; a sample of sample_shape S has shape
///   S + batch_shape + event_shape, and log_prob(value) has shape broadcast(value batch dims) = S +
///   batch_shape.
/// * sample() never carries a gradient; rsample() is the reparameterised (pathwise) sample, available where
///   has_rsample() is true. Every sampler takes an optional at::Generator, so results are reproducible.
/// * Densities of mixed variables are w.r.t. the direct-sum base measure of the face lattice (counting
///   measure on vertices, Lebesgue measure on the free coordinates of each higher face;
///   `docs/math.md#the-direct-sum-base-measure`), so log-probs of different families are comparable.
/// * Arguments are validated by default (a global switch, set_default_validate_args, and a per-instance one),
///   against the constraints each distribution declares: arg_constraints() for its parameters (checked at
///   construction) and support() for values (checked by log_prob), as torch.distributions does.
/// * Methods that return a plain tensor are exact (or throw, naming the Monte Carlo alternative); every
///   sampled estimate is explicit and returns an Estimate with its standard error (entropy_mc,
///   kl_divergence_mc).
///
/// Distributions are value types holding tensors (like Python's), not nn::Modules: copy them freely.

#include <ATen/ATen.h>
#include <c10/util/Optional.h>

#include <string>
#include <utility>
#include <vector>

#include "mixdist/distributions/constraints.h"
#include "mixdist/distributions/estimate.h"

namespace mixdist {
/// @brief The distributions layer (include/mixdist/distributions/): an inline namespace, so
/// `mixdist::distributions::Normal` and `mixdist::Normal` name the same class.
inline namespace distributions {

/// Sets the global default for argument validation (true unless changed; thread-safe).
///
/// Distributions built afterwards with `validate_args = c10::nullopt` take this value; existing ones keep
/// theirs.
/// @param validate whether new distributions validate their parameters and log_prob's values.
///
/// @code
/// mixdist::set_default_validate_args(false);  // e.g. in a benchmark's inner loop
/// @endcode
void set_default_validate_args(bool validate);
/// The global default for argument validation (true unless set_default_validate_args changed it).
bool default_validate_args();

/// Named parameter constraints, as torch.distributions' arg_constraints dictionary.
using ArgConstraints = std::vector<std::pair<std::string, constraints::ConstraintPtr>>;

/// Draws and the log-density of each under the distribution that drew them.
struct SampleWithLogProb {
  at::Tensor value;     ///< sample_shape + batch_shape + event_shape
  at::Tensor log_prob;  ///< sample_shape + batch_shape
};

/// The interface of every distribution: shapes, samplers, log_prob, entropy and moments, and the declared
/// constraints of its parameters and support.
///
/// Subclasses implement name(), support(), log_prob() and the protected draw(), and usually override
/// arg_constraints(), has_rsample(), entropy() and the moments. Every method documented "an error" throws
/// c10::Error whose message starts with name(). All methods are const: a distribution is an immutable value.
///
/// @code
/// mixdist::Normal n(torch::zeros({3}), torch::ones({3}));
/// at::Tensor y = n.rsample({10});         // [10, 3]
/// at::Tensor lp = n.log_prob(y).sum(-1);  // [10]
/// @endcode
class Distribution {
 public:
  /// Virtual destructor: distributions are used through references to this base.
  virtual ~Distribution() = default;

  /// Short type name used in error messages and by the KL registry ("Normal", "MixedDirichlet", ...).
  virtual std::string name() const = 0;

  /// The shape of the batch of independent distributions held.
  at::IntArrayRef batch_shape() const { return batch_shape_; }
  /// The shape of one value ({} for scalar variables, {K} on the simplex).
  at::IntArrayRef event_shape() const { return event_shape_; }
  /// sample_shape + batch_shape + event_shape.
  /// @param sample_shape the leading dims of a sample.
  std::vector<int64_t> extended_shape(at::IntArrayRef sample_shape = {}) const;

  /// Whether rsample() (a pathwise sample, differentiable in the parameters) is available.
  virtual bool has_rsample() const { return false; }
  /// A sample without gradient, of shape extended_shape(sample_shape) (drawn under no-grad and detached).
  /// @param sample_shape the leading dims of the sample.
  /// @param generator the random generator (the default one if absent).
  at::Tensor sample(at::IntArrayRef sample_shape = {},
                    c10::optional<at::Generator> generator = c10::nullopt) const;
  /// A reparameterised sample of shape extended_shape(sample_shape), differentiable in the parameters.
  /// @param sample_shape the leading dims of the sample.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if has_rsample() is false (use sample() with a score-function estimator).
  at::Tensor rsample(at::IntArrayRef sample_shape = {},
                     c10::optional<at::Generator> generator = c10::nullopt) const;

  /// The log-density of `value` (w.r.t. the distribution's base measure).
  ///
  /// @param value [..., event_shape], its batch dims broadcasting with batch_shape().
  /// @return broadcast(value batch dims, batch_shape).
  /// @throws c10::Error (with validation on) if value's shape does not fit or a value lies outside support().
  virtual at::Tensor log_prob(const at::Tensor& value) const = 0;
  /// Exact entropy (w.r.t. the distribution's base measure), batch_shape; an error where none is implemented.
  virtual at::Tensor entropy() const;
  /// Monte Carlo estimate of the entropy E[-log p(Y)] with its standard error.
  ///
  /// The mean of -log p over num_samples draws per batch element (from sample_with_log_prob);
  /// differentiable in the parameters where has_rsample(). Distributions override it where a lower-variance
  /// estimator exists.
  /// @param num_samples draws per batch element, >= 2.
  /// @param generator the random generator (the default one if absent).
  /// @return Estimate of shape batch_shape.
  /// @throws c10::Error if num_samples < 2.
  virtual Estimate entropy_mc(int64_t num_samples,
                              c10::optional<at::Generator> generator = c10::nullopt) const;
  /// num_samples draws with their log-densities.
  ///
  /// Draws are [num_samples] + batch_shape + event_shape, reparameterised where has_rsample(). Distributions
  /// override it where sampling knows more than the value alone (the face drawn, the logit before rounding).
  /// @param num_samples number of draws, >= 1.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 1.
  virtual SampleWithLogProb sample_with_log_prob(int64_t num_samples,
                                                 c10::optional<at::Generator> generator = c10::nullopt) const;
  /// The mean, batch_shape + event_shape; an error where none is implemented.
  virtual at::Tensor mean() const;
  /// The mode, batch_shape + event_shape; an error where none is implemented.
  virtual at::Tensor mode() const;
  /// The (elementwise) variance, batch_shape + event_shape; an error where none is implemented.
  virtual at::Tensor variance() const;

  /// Whether this instance validates its parameters (at construction) and log_prob's values.
  bool validate_args() const { return validate_args_; }

  /// The set of values the distribution lives on (as torch.distributions' support).
  virtual constraints::ConstraintPtr support() const = 0;
  /// The constraint of each tensor parameter, by name (as torch.distributions' arg_constraints).
  virtual ArgConstraints arg_constraints() const { return {}; }

 protected:
  /// Sets the shapes and the validation flag (`validate_args`, or default_validate_args() if absent).
  /// @param batch_shape the batch shape.
  /// @param event_shape the event shape.
  /// @param validate_args whether to validate; c10::nullopt takes the global default.
  Distribution(std::vector<int64_t> batch_shape, std::vector<int64_t> event_shape,
               c10::optional<bool> validate_args);

  /// Draws a sample of extended_shape(sample_shape); differentiable w.r.t. the parameters when has_rsample().
  /// @param sample_shape the leading dims of the sample.
  /// @param generator the random generator (the default one if absent).
  virtual at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const = 0;

  /// Checks that value's trailing dims are event_shape and its batch dims broadcast with batch_shape.
  /// @throws c10::Error naming name() and both shapes otherwise, or if value is undefined.
  void check_value_shape(const at::Tensor& value) const;
  /// The one check of log_prob's value: its shape (check_value_shape) and support().
  /// @throws c10::Error naming the first offending entry (constraints::validate).
  void validate_sample(const at::Tensor& value) const;
  /// validate_sample, and that face is a face mask broadcasting with value outside of which value is 0.
  /// @throws c10::Error naming the first offending entry and its index.
  void validate_sample_on_face(const at::Tensor& value, const at::Tensor& face) const;
  /// The one check of the parameters: each named tensor against its entry in arg_constraints().
  /// @throws c10::Error if a tensor violates its constraint, or if a name has no declared constraint.
  void validate_parameters(const std::vector<std::pair<std::string, at::Tensor>>& parameters) const;
  /// Throws c10::Error "<name()>.<what> is not available for this distribution".
  [[noreturn]] void not_implemented(const char* what) const;

 private:
  std::vector<int64_t> batch_shape_;
  std::vector<int64_t> event_shape_;
  bool validate_args_;
};

}  // namespace distributions
}  // namespace mixdist
