#pragma once

// Categorical(logits) over K classes (the last dim of logits): values are int64 class indices, event_shape
// {}. Logits are normalised on construction (log-softmax); -inf logits give classes of probability 0.

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class Categorical : public Distribution {
 public:
  explicit Categorical(const at::Tensor& logits, c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "Categorical"; }
  at::Tensor log_prob(const at::Tensor& value) const override;
  at::Tensor entropy() const override;
  at::Tensor mode() const override { return logits_.argmax(-1); }
  Categorical expand(at::IntArrayRef batch_shape) const;

  int64_t num_classes() const { return logits_.size(-1); }
  const at::Tensor& logits() const { return logits_; }  // normalised: logsumexp = 0
  at::Tensor probs() const { return logits_.exp(); }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor logits_;
};

at::Tensor kl_divergence(const Categorical& p, const Categorical& q);

}  // namespace mixdist
