#include "mixdist/distributions/binary_concrete.h"

#include <cmath>
#include <limits>

#include "distributions/checks.h"

namespace mixdist {
inline namespace distributions {
namespace {

// Uniforms in [tiny, 1 - eps/2] of the dtype: log U and log(1 - U) are then finite.
at::Tensor safe_uniform(at::IntArrayRef shape, c10::optional<at::Generator> generator,
                        const at::TensorOptions& o) {
  const bool is_double = o.dtype() == at::kDouble;
  const double tiny = is_double ? std::numeric_limits<double>::min() : std::numeric_limits<float>::min();
  const double top =
      1.0 - (is_double ? std::numeric_limits<double>::epsilon() : std::numeric_limits<float>::epsilon());
  return at::rand(shape, std::move(generator), o).clamp(tiny, top);
}

}  // namespace

at::Tensor logistic_noise(at::IntArrayRef shape, c10::optional<at::Generator> generator,
                          const at::TensorOptions& o) {
  const at::Tensor u = safe_uniform(shape, std::move(generator), o);
  return u.log() - (-u).log1p();
}

at::Tensor gumbel_noise(at::IntArrayRef shape, c10::optional<at::Generator> generator,
                        const at::TensorOptions& o) {
  return -(-safe_uniform(shape, std::move(generator), o).log()).log();
}

BinaryConcrete::BinaryConcrete(const at::Tensor& logits, double temperature,
                               c10::optional<bool> validate_args)
    : Distribution(logits.defined() ? logits.sizes().vec() : std::vector<int64_t>{}, {}, validate_args),
      logits_(logits),
      temperature_(temperature) {
  detail::check_floating(name(), "logits", logits);
  TORCH_CHECK(std::isfinite(temperature) && temperature > 0, name(),
              ": temperature must be positive and finite, got ", temperature);
  if (this->validate_args()) validate_parameters({{"logits", logits}});
}

at::Tensor BinaryConcrete::rsample_logit(at::IntArrayRef sample_shape,
                                         c10::optional<at::Generator> generator) const {
  return (logits_ + logistic_noise(extended_shape(sample_shape), std::move(generator), logits_.options())) /
         temperature_;
}

at::Tensor BinaryConcrete::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  return rsample_logit(sample_shape, std::move(generator)).sigmoid();
}

namespace {
// log density at logit(x) = v: log tau + (a - tau v) - 2 softplus(a - tau v) - log(x (1 - x)), with
// -log(x (1 - x)) = softplus(v) + softplus(-v).
at::Tensor log_density_at_logit(const at::Tensor& v, const at::Tensor& a, double tau) {
  const at::Tensor t = a - tau * v;
  return std::log(tau) + t - 2 * at::softplus(t) + at::softplus(v) + at::softplus(-v);
}
}  // namespace

at::Tensor BinaryConcrete::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  return log_density_at_logit(value.log() - (-value).log1p(), logits_, temperature_);
}

at::Tensor BinaryConcrete::cdf(const at::Tensor& value) const {
  return (temperature_ * (value.log() - (-value).log1p()) - logits_).sigmoid();
}

SampleWithLogProb BinaryConcrete::sample_with_log_prob(int64_t num_samples,
                                                       c10::optional<at::Generator> generator) const {
  TORCH_CHECK(num_samples >= 1, name(), ": num_samples must be >= 1, got ", num_samples);
  const at::Tensor v = rsample_logit({num_samples}, std::move(generator));
  return {v.sigmoid(), log_density_at_logit(v, logits_, temperature_)};
}

BinaryConcrete BinaryConcrete::expand(at::IntArrayRef batch_shape) const {
  return BinaryConcrete(logits_.expand(batch_shape), temperature_, false);
}

}  // namespace distributions
}  // namespace mixdist
