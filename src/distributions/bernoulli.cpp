#include "mixdist/distributions/bernoulli.h"

#include "distributions/checks.h"

namespace mixdist {
inline namespace distributions {

Bernoulli::Bernoulli(const at::Tensor& logits, c10::optional<bool> validate_args)
    : Distribution(logits.defined() ? logits.sizes().vec() : std::vector<int64_t>{}, {}, validate_args),
      logits_(logits) {
  detail::check_floating(name(), "logits", logits);
  if (this->validate_args()) validate_parameters({{"logits", logits}});
}

at::Tensor Bernoulli::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  return at::bernoulli(probs().expand(extended_shape(sample_shape)), std::move(generator));
}

at::Tensor Bernoulli::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  // log p = -softplus(-l), log(1 - p) = -softplus(l).
  return value * logits_ - at::softplus(logits_);
}

at::Tensor Bernoulli::entropy() const {
  return at::softplus(logits_) - logits_ * logits_.sigmoid();
}

at::Tensor Bernoulli::variance() const {
  const at::Tensor p = probs();
  return p * (1 - p);
}

Bernoulli Bernoulli::expand(at::IntArrayRef batch_shape) const {
  return Bernoulli(logits_.expand(batch_shape), false);
}

at::Tensor kl_divergence(const Bernoulli& p, const Bernoulli& q) {
  const at::Tensor a = p.logits(), b = q.logits();
  const at::Tensor pa = a.sigmoid();
  return pa * (at::softplus(-b) - at::softplus(-a)) + (1 - pa) * (at::softplus(b) - at::softplus(a));
}

}  // namespace distributions
}  // namespace mixdist
