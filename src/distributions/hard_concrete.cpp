#include "mixdist/distributions/hard_concrete.h"

#include <cmath>

#include "distributions/checks.h"
#include "mixdist/distributions/code_length.h"

namespace mixdist {
inline namespace distributions {
namespace {
double logit(double x) {
  return std::log(x) - std::log1p(-x);
}
}  // namespace

HardConcrete::HardConcrete(const at::Tensor& logits, double temperature, double lower, double upper,
                           c10::optional<bool> validate_args)
    : Distribution(logits.defined() ? logits.sizes().vec() : std::vector<int64_t>{}, {}, validate_args),
      base_(logits, temperature, false),
      lower_(lower),
      upper_(upper) {
  TORCH_CHECK(lower < 0 && upper > 1, name(),
              ": the stretch interval must contain [0, 1] strictly (lower < 0 < 1 < "
              "upper), got lower = ",
              lower, ", upper = ", upper);
  if (this->validate_args()) validate_parameters({{"logits", logits}});
}

at::Tensor HardConcrete::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const at::Tensor x = base_.rsample(sample_shape, std::move(generator));
  return (lower_ + (upper_ - lower_) * x).clamp(0.0, 1.0);
}

at::Tensor HardConcrete::prob_zero() const {
  // F_X(t0) = sigmoid(tau logit(t0) - a), t0 = -l / (r - l).
  const double t0 = -lower_ / (upper_ - lower_);
  return (base_.temperature() * logit(t0) - base_.logits()).sigmoid();
}

at::Tensor HardConcrete::prob_one() const {
  const double t1 = (1.0 - lower_) / (upper_ - lower_);
  return (base_.logits() - base_.temperature() * logit(t1)).sigmoid();
}

at::Tensor HardConcrete::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  const double tau = base_.temperature();
  const at::Tensor& a = base_.logits();
  const double t0 = -lower_ / (upper_ - lower_), t1 = (1.0 - lower_) / (upper_ - lower_);
  const at::Tensor log_p0 = -at::softplus(a - tau * logit(t0));
  const at::Tensor log_p1 = -at::softplus(tau * logit(t1) - a);
  // Interior: density of X at (y - l)/(r - l), divided by (r - l); other entries evaluated at a safe point.
  const at::Tensor interior = (value > 0) & (value < 1);
  const at::Tensor y = at::where(interior, value, at::full_like(value, 0.5));
  const at::Tensor x = (y - lower_) / (upper_ - lower_);
  const at::Tensor v = x.log() - (-x).log1p();
  const at::Tensor t = a - tau * v;
  const at::Tensor log_dens = std::log(tau) + t - 2 * at::softplus(t) + at::softplus(v) + at::softplus(-v) -
                              std::log(upper_ - lower_);
  return at::where(value == 0, log_p0, at::where(value == 1, log_p1, log_dens));
}

Estimate HardConcrete::entropy_bits_mc(double precision_bits, int64_t num_samples,
                                       c10::optional<at::Generator> generator) const {
  const Estimate h = entropy_mc(num_samples, std::move(generator));
  return {code_length_bits(h.value, expected_face_dim(), precision_bits), h.standard_error / std::log(2.0)};
}

HardConcrete HardConcrete::expand(at::IntArrayRef batch_shape) const {
  return HardConcrete(base_.logits().expand(batch_shape), base_.temperature(), lower_, upper_, false);
}

}  // namespace distributions
}  // namespace mixdist
