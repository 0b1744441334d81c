#pragma once

// BinaryConcrete(logits a, temperature tau), a.k.a. RelaxedBernoulli (Maddison et al., 2017; Jang et al.,
// 2017): X = sigmoid((a + L) / tau), L ~ Logistic(0, 1). A continuous variable on (0, 1), event_shape {}.
// Densities are exact (the authors' code adds EPS = 1e-4 inside its logs; docs/math.md#binary-concrete).

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class BinaryConcrete : public Distribution {
 public:
  BinaryConcrete(const at::Tensor& logits, double temperature,
                 c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "BinaryConcrete"; }
  bool has_rsample() const override { return true; }
  // Density w.r.t. Lebesgue measure on (0, 1).
  at::Tensor log_prob(const at::Tensor& value) const override;
  // P(X <= x) = sigmoid(tau logit(x) - a).
  at::Tensor cdf(const at::Tensor& value) const;
  // No closed form: Monte Carlo estimate of E[-log p(X)] from num_samples samples (standard error ~
  // 1/sqrt(n)).
  at::Tensor entropy_mc(int64_t num_samples, c10::optional<at::Generator> generator = c10::nullopt) const;
  BinaryConcrete expand(at::IntArrayRef batch_shape) const;

  const at::Tensor& logits() const { return logits_; }
  double temperature() const { return temperature_; }

  // logit(X) = (a + L) / tau, computed directly (no round trip through (0, 1)); differentiable in the logits.
  at::Tensor rsample_logit(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const;

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
  double temperature_;
};

// Logistic(0, 1) noise of the given shape from uniforms kept away from 0 and 1, so that log(U) - log(1 - U)
// is always finite (the NaN family of pytorch#22442 came from U = 0 or 1).
at::Tensor logistic_noise(at::IntArrayRef shape, c10::optional<at::Generator> generator,
                          const at::TensorOptions& o);

// Gumbel(0, 1) noise, -log(-log U) from the same safe uniforms.
at::Tensor gumbel_noise(at::IntArrayRef shape, c10::optional<at::Generator> generator,
                        const at::TensorOptions& o);

}  // namespace mixdist
