#pragma once

// Bernoulli(logits): independent bits, values 0/1 (floating), event_shape {}.

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class Bernoulli : public Distribution {
 public:
  explicit Bernoulli(const at::Tensor& logits, c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "Bernoulli"; }
  at::Tensor log_prob(const at::Tensor& value) const override;
  at::Tensor entropy() const override;
  at::Tensor mean() const override { return probs(); }
  at::Tensor mode() const override { return (logits_ > 0).to(logits_.scalar_type()); }
  at::Tensor variance() const override;
  Bernoulli expand(at::IntArrayRef batch_shape) const;

  const at::Tensor& logits() const { return logits_; }
  at::Tensor probs() const { return logits_.sigmoid(); }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
};

at::Tensor kl_divergence(const Bernoulli& p, const Bernoulli& q);

}  // namespace mixdist
