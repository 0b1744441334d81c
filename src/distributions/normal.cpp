#include "mixdist/distributions/normal.h"

#include <cmath>
#include <tuple>

#include "distributions/checks.h"

namespace mixdist {
inline namespace distributions {
namespace {
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2
}

Normal::Normal(const at::Tensor& loc, const at::Tensor& scale, c10::optional<bool> validate_args)
    : Distribution(detail::loc_scale_shape("Normal", loc, scale), {}, validate_args) {
  std::tie(loc_, scale_) = detail::broadcast_loc_scale(loc, scale);
  if (this->validate_args()) validate_parameters({{"loc", loc_}, {"scale", scale_}});
}

at::Tensor Normal::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const at::Tensor eps =
      at::normal(0.0, 1.0, extended_shape(sample_shape), std::move(generator), loc_.options());
  return loc_ + scale_ * eps;
}

at::Tensor Normal::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  const at::Tensor z = (value - loc_) / scale_;
  return -0.5 * z * z - scale_.log() - kHalfLog2Pi;
}

at::Tensor Normal::entropy() const {
  return 0.5 + kHalfLog2Pi + scale_.log();
}

Normal Normal::expand(at::IntArrayRef batch_shape) const {
  return Normal(loc_.expand(batch_shape), scale_.expand(batch_shape), false);
}

at::Tensor kl_divergence(const Normal& p, const Normal& q) {
  const at::Tensor ratio = p.scale() / q.scale();
  const at::Tensor diff = (p.loc() - q.loc()) / q.scale();
  return 0.5 * (ratio * ratio + diff * diff) - 0.5 - ratio.log();
}

}  // namespace distributions
}  // namespace mixdist
