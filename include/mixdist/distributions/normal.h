#pragma once

// Normal(loc, scale): independent Gaussians, event_shape {} (use it as a diagonal Gaussian by summing
// log_prob over the last dim). Reparameterised: loc + scale * eps.

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class Normal : public Distribution {
 public:
  Normal(const at::Tensor& loc, const at::Tensor& scale, c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "Normal"; }
  bool has_rsample() const override { return true; }
  at::Tensor log_prob(const at::Tensor& value) const override;
  at::Tensor entropy() const override;
  at::Tensor mean() const override { return loc_; }
  at::Tensor mode() const override { return loc_; }
  at::Tensor variance() const override { return scale_ * scale_; }
  Normal expand(at::IntArrayRef batch_shape) const;

  const at::Tensor& loc() const { return loc_; }
  const at::Tensor& scale() const { return scale_; }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor loc_, scale_;
};

at::Tensor kl_divergence(const Normal& p, const Normal& q);

}  // namespace mixdist
