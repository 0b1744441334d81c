#pragma once

/// @file
/// @brief Declared constraints on parameters and values (mixdist::constraints), and their validation.
///
/// Declared constraints, the C++ counterpart of torch.distributions.constraints: the set a parameter or a
/// value must lie in. Every distribution declares the constraints of its parameters (arg_constraints()) and
/// its support (support()); Distribution checks both in one place (parameters at construction, values in
/// log_prob), so each requirement and its error message is written once.

#include <ATen/ATen.h>

#include <memory>
#include <string>

namespace mixdist {
inline namespace distributions {
/// Declared constraints (the sets parameters and values must lie in) and their validation, as
/// torch.distributions.constraints.
namespace constraints {

/// A set a parameter or a value must lie in, with a name, a requirement in words and a vectorised test.
///
/// Held through ConstraintPtr; the factories below (real(), positive(), simplex(), ...) return shared
/// instances. Implement it to declare a constraint of one's own (a Distribution's support() or
/// arg_constraints() may return any Constraint).
///
/// @code
/// at::Tensor ok = mixdist::constraints::positive()->check(scale);  // bool, scale's shape
/// @endcode
class Constraint {
 public:
  /// Virtual destructor: constraints are held through ConstraintPtr.
  virtual ~Constraint() = default;
  /// Short identifier, as torch.distributions names them: "positive", "simplex", "integer_interval[0, 9]".
  virtual std::string name() const = 0;
  /// What a valid value is, in words, for error messages: "positive and finite".
  virtual std::string requirement() const = 0;
  /// Trailing dims that form one constrained unit: 0 for elementwise constraints, 1 for a simplex row or a
  /// face mask.
  virtual int64_t event_dim() const { return 0; }
  /// Where value satisfies the constraint: a bool tensor of value's shape without its event_dim() trailing
  /// dims. value needs at least event_dim() dims (the built-in constraints throw c10::Error otherwise, and
  /// for an undefined value).
  virtual at::Tensor check(const at::Tensor& value) const = 0;
};

/// Shared, immutable handle to a Constraint.
using ConstraintPtr = std::shared_ptr<const Constraint>;

/// Any number but NaN (infinities allowed), as torch's constraints.real; every non-floating value passes.
ConstraintPtr real();
/// A finite number (neither NaN nor +-inf).
ConstraintPtr finite();
/// A finite number > 0.
ConstraintPtr positive();
/// A number in [0, 1].
ConstraintPtr unit_interval();
/// A number in (0, 1).
ConstraintPtr open_unit_interval();
/// 0 or 1 (any dtype).
ConstraintPtr boolean();
/// A whole number in [lower, upper] (any dtype).
/// @param lower smallest allowed value.
/// @param upper largest allowed value, >= lower.
/// @throws c10::Error if lower > upper.
ConstraintPtr integer_interval(int64_t lower, int64_t upper);
/// A row [..., K] with entries >= 0 that sums to 1 within `tolerance` (event_dim() 1).
/// @param tolerance the largest accepted |sum - 1|.
ConstraintPtr simplex(double tolerance = 1e-4);
/// A row of the simplex with every entry > 0 (its relative interior; event_dim() 1).
/// @param tolerance the largest accepted |sum - 1|.
ConstraintPtr simplex_interior(double tolerance = 1e-4);
/// A face of the simplex: a row [..., K] of 0/1 entries (bool or numeric) with at least one 1
/// (event_dim() 1).
ConstraintPtr face_mask();

/// Checks that every entry (every row, for event constraints) of `value` satisfies `constraint`.
///
/// @param constraint the constraint to check.
/// @param owner the name the error message starts with (a distribution's name()).
/// @param argument the name of the checked argument ("scale", "value").
/// @param value the tensor to check, with at least constraint.event_dim() dims.
/// @throws c10::Error "<owner>: <argument> must be <requirement>, got <the first offending entry or row> at
///   index [i, j, ...]" unless every entry satisfies `constraint`; also if `value` is undefined.
///
/// @code
/// mixdist::constraints::validate(*mixdist::constraints::positive(), "MyDist", "scale", scale);
/// @endcode
void validate(const Constraint& constraint, const std::string& owner, const std::string& argument,
              const at::Tensor& value);

}  // namespace constraints
}  // namespace distributions
}  // namespace mixdist
