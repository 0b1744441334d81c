#include "mixdist/distributions/normal.h"

#include <cmath>

#include "distributions/checks.h"

namespace mixdist {
namespace {
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2
}

Normal::Normal(const at::Tensor& loc, const at::Tensor& scale, c10::optional<bool> validate_args)
    : Distribution(at::infer_size(loc.sizes(), scale.sizes()), {}, validate_args) {
  detail::check_floating(name(), "loc", loc);
  detail::check_floating(name(), "scale", scale);
  auto tensors = at::broadcast_tensors({loc, scale});
  loc_ = tensors[0];
  scale_ = tensors[1];
  if (this->validate_args()) {
    detail::check_not_nan(name(), "loc", loc_);
    detail::check_positive(name(), "scale", scale_);
  }
}

at::Tensor Normal::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const at::Tensor eps =
      at::normal(0.0, 1.0, extended_shape(sample_shape), std::move(generator), loc_.options());
  return loc_ + scale_ * eps;
}

at::Tensor Normal::log_prob(const at::Tensor& value) const {
  if (validate_args()) check_value_shape(value);
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

}  // namespace mixdist
