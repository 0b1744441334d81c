#pragma once

// RelaxedOneHotCategorical(logits, tau), the Gumbel-Softmax / Concrete distribution (Jang et al., 2017;
// Maddison et al., 2017): y = softmax((logits + g) / tau), g ~ Gumbel(0, 1), on the interior of the simplex,
// event_shape {K}. Density w.r.t. Lebesgue measure on the first K-1 coordinates (the coordinate convention of
// docs/math.md#the-direct-sum-base-measure). With straight_through, rsample returns one_hot(argmax y) in the
// forward pass and the gradient of y in the backward pass (Bengio et al., 2013); log_prob then still scores
// relaxed points.

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class RelaxedOneHotCategorical : public Distribution {
 public:
  RelaxedOneHotCategorical(const at::Tensor& logits, double temperature, bool straight_through = false,
                           c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "RelaxedOneHotCategorical"; }
  bool has_rsample() const override { return true; }
  at::Tensor log_prob(const at::Tensor& value) const override;
  // Monte Carlo estimate of E[-log p(Y)] (no closed form).
  at::Tensor entropy_mc(int64_t num_samples, c10::optional<at::Generator> generator = c10::nullopt) const;
  RelaxedOneHotCategorical expand(at::IntArrayRef batch_shape) const;

  const at::Tensor& logits() const { return logits_; }  // normalised
  double temperature() const { return temperature_; }
  bool straight_through() const { return straight_through_; }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
  double temperature_;
  bool straight_through_;
};

// one_hot(argmax y) forward, identity backward.
at::Tensor straight_through_one_hot(const at::Tensor& y);

}  // namespace mixdist
