#include "mixdist/distributions/relaxed_one_hot_categorical.h"

#include <cmath>

#include "distributions/checks.h"
#include "mixdist/distributions/binary_concrete.h"

namespace mixdist {
inline namespace distributions {

RelaxedOneHotCategorical::RelaxedOneHotCategorical(const at::Tensor& logits, double temperature,
                                                   bool straight_through, c10::optional<bool> validate_args)
    : Distribution(logits.defined() && logits.dim() >= 1 ? logits.sizes().slice(0, logits.dim() - 1).vec()
                                                         : std::vector<int64_t>{},
                   logits.defined() && logits.dim() >= 1 ? std::vector<int64_t>{logits.size(-1)}
                                                         : std::vector<int64_t>{},
                   validate_args),
      temperature_(temperature),
      straight_through_(straight_through) {
  detail::check_floating(name(), "logits", logits);
  detail::check_min_dim(name(), "logits", logits, 1);
  TORCH_CHECK(std::isfinite(temperature) && temperature > 0, name(),
              ": temperature must be positive and finite, got ", temperature);
  if (this->validate_args()) validate_parameters({{"logits", logits}});
  logits_ = logits - logits.logsumexp(-1, /*keepdim=*/true);
}

at::Tensor straight_through_one_hot(const at::Tensor& y) {
  const at::Tensor hard = at::zeros_like(y).scatter_(-1, y.argmax(-1, /*keepdim=*/true), 1.0);
  // Parenthesised so that the forward value is exactly one-hot: (y - y.detach()) is exactly 0.
  return hard + (y - y.detach());
}

namespace {
// Log-density at log y (Jang et al., 2017, eq. 2): lgamma(K) + (K-1) log tau + sum_i (l_i - (tau+1) log y_i)
// - K logsumexp_i(l_i - tau log y_i).
at::Tensor log_density_at_log(const at::Tensor& log_y, const at::Tensor& logits, double tau) {
  const double K = static_cast<double>(logits.size(-1));
  return std::lgamma(K) + (K - 1) * std::log(tau) + (logits - (tau + 1) * log_y).sum(-1) -
         K * (logits - tau * log_y).logsumexp(-1);
}

at::Tensor relaxed_log_sample(const at::Tensor& logits, double tau, at::IntArrayRef shape,
                              c10::optional<at::Generator> generator) {
  return at::log_softmax((logits + gumbel_noise(shape, std::move(generator), logits.options())) / tau, -1);
}
}  // namespace

at::Tensor RelaxedOneHotCategorical::draw(at::IntArrayRef sample_shape,
                                          c10::optional<at::Generator> generator) const {
  const at::Tensor y =
      relaxed_log_sample(logits_, temperature_, extended_shape(sample_shape), std::move(generator)).exp();
  return straight_through_ ? straight_through_one_hot(y) : y;
}

at::Tensor RelaxedOneHotCategorical::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  return log_density_at_log(value.log(), logits_, temperature_);
}

SampleWithLogProb RelaxedOneHotCategorical::sample_with_log_prob(
    int64_t num_samples, c10::optional<at::Generator> generator) const {
  TORCH_CHECK(num_samples >= 1, name(), ": num_samples must be >= 1, got ", num_samples);
  const at::Tensor log_y =
      relaxed_log_sample(logits_, temperature_, extended_shape({num_samples}), std::move(generator));
  return {log_y.exp(), log_density_at_log(log_y, logits_, temperature_)};
}

RelaxedOneHotCategorical RelaxedOneHotCategorical::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(logits_.size(-1));
  return RelaxedOneHotCategorical(logits_.expand(shape), temperature_, straight_through_, false);
}

}  // namespace distributions
}  // namespace mixdist
