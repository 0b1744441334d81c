#pragma once

// The Distribution interface: the C++ counterpart of torch.distributions.Distribution.
//
// * batch_shape() / event_shape() as in torch.distributions; a sample of sample_shape S has shape
//   S + batch_shape + event_shape, and log_prob(value) has shape broadcast(value batch dims) = S +
//   batch_shape.
// * sample() never carries a gradient; rsample() is the reparameterised (pathwise) sample, available where
//   has_rsample() is true. Every sampler takes an optional at::Generator, so results are reproducible.
// * Densities of mixed variables are w.r.t. the direct-sum base measure of the face lattice (counting measure
//   on vertices, Lebesgue measure on the free coordinates of each higher face;
//   docs/math.md#the-direct-sum-base-measure), so log-probs of different families are comparable.
// * Arguments are validated by default (a global switch, set_default_validate_args, and a per-instance one).
//
// Distributions are value types holding tensors (like Python's), not nn::Modules: copy them freely.

#include <ATen/ATen.h>
#include <c10/util/Optional.h>

#include <string>
#include <vector>

namespace mixdist {

// Global default for argument validation (true unless changed).
void set_default_validate_args(bool validate);
bool default_validate_args();

class Distribution {
 public:
  virtual ~Distribution() = default;

  // Short type name used in error messages and by the KL registry ("Normal", "MixedDirichlet", ...).
  virtual std::string name() const = 0;

  at::IntArrayRef batch_shape() const { return batch_shape_; }
  at::IntArrayRef event_shape() const { return event_shape_; }
  // sample_shape + batch_shape + event_shape.
  std::vector<int64_t> extended_shape(at::IntArrayRef sample_shape = {}) const;

  virtual bool has_rsample() const { return false; }
  // A sample without gradient.
  at::Tensor sample(at::IntArrayRef sample_shape = {},
                    c10::optional<at::Generator> generator = c10::nullopt) const;
  // A reparameterised sample; an error for distributions without one.
  at::Tensor rsample(at::IntArrayRef sample_shape = {},
                     c10::optional<at::Generator> generator = c10::nullopt) const;

  virtual at::Tensor log_prob(const at::Tensor& value) const = 0;
  // Entropy (w.r.t. the distribution's base measure); an error where no closed form is implemented.
  virtual at::Tensor entropy() const;
  virtual at::Tensor mean() const;
  virtual at::Tensor mode() const;
  virtual at::Tensor variance() const;

  bool validate_args() const { return validate_args_; }

 protected:
  Distribution(std::vector<int64_t> batch_shape, std::vector<int64_t> event_shape,
               c10::optional<bool> validate_args);

  // Draws a sample of extended_shape(sample_shape); differentiable w.r.t. the parameters when has_rsample().
  virtual at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const = 0;

  // Checks that value's trailing dims are event_shape and its batch dims broadcast with batch_shape.
  void check_value_shape(const at::Tensor& value) const;
  [[noreturn]] void not_implemented(const char* what) const;

 private:
  std::vector<int64_t> batch_shape_;
  std::vector<int64_t> event_shape_;
  bool validate_args_;
};

}  // namespace mixdist
