#include "mixdist/distributions/clipped_gaussian.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "distributions/checks.h"
#include "mixdist/distributions/code_length.h"
#include "mixdist/special/log_ndtr.h"

namespace mixdist {
inline namespace distributions {
namespace {
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2
// The reference code's offset inside log P0, log P1 (reproduce_authors only).
constexpr double kAuthorsEps = 1e-12;

at::Tensor std_normal_pdf(const at::Tensor& u) {
  return at::exp(-0.5 * u * u - kHalfLog2Pi);
}

// Phi(b) - Phi(a) for a <= b without cancellation: through the upper tails when both are positive.
at::Tensor ndtr_difference(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor lower = at::special_ndtr(b) - at::special_ndtr(a);
  const at::Tensor upper = at::special_ndtr(-a) - at::special_ndtr(-b);
  return at::where(a > 0, upper, lower);
}

// Pieces of the truncated-normal moments over (0, 1) in standardised units u = (y - loc)/scale:
// m0 = ∫_a^b phi, m1 = ∫_a^b u phi, m2 = ∫_a^b u^2 phi.
struct Moments {
  at::Tensor a, b, m0, m1, m2;
};

Moments moments(const at::Tensor& loc, const at::Tensor& scale) {
  Moments m;
  m.a = -loc / scale;
  m.b = (1.0 - loc) / scale;
  const at::Tensor pa = std_normal_pdf(m.a), pb = std_normal_pdf(m.b);
  m.m0 = ndtr_difference(m.a, m.b);
  m.m1 = pa - pb;
  // a phi(a) is 0 (not inf * 0) when a is huge: the pdf underflows first and the product is an exact 0.
  m.m2 = m.m0 + m.a * pa - m.b * pb;
  return m;
}

}  // namespace

ClippedGaussian::ClippedGaussian(const at::Tensor& loc, const at::Tensor& scale,
                                 ClippedGaussianOptions options, c10::optional<bool> validate_args)
    : Distribution(detail::loc_scale_shape("ClippedGaussian", loc, scale), {}, validate_args),
      options_(options) {
  std::tie(loc_, scale_) = detail::broadcast_loc_scale(loc, scale);
  if (this->validate_args()) validate_parameters({{"loc", loc_}, {"scale", scale_}});
}

at::Tensor ClippedGaussian::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const at::Tensor eps =
      at::normal(0.0, 1.0, extended_shape(sample_shape), std::move(generator), loc_.options());
  // The reference sampler's sparsemax over [l, 1 - l] halves the variance of the noise
  // (docs/math.md#clipped-gaussian).
  const at::Tensor scale = options_.reproduce_authors() ? scale_ / std::sqrt(2.0) : scale_;
  return at::clamp(loc_ + scale * eps, 0.0, 1.0);
}

at::Tensor ClippedGaussian::log_prob_zero() const {
  return special::log_ndtr(-loc_ / scale_);
}

at::Tensor ClippedGaussian::log_prob_one() const {
  return special::log_ndtr((loc_ - 1.0) / scale_);
}

at::Tensor ClippedGaussian::log_prob(const at::Tensor& value) const {
  if (validate_args()) {
    detail::check_floating(name(), "value", value);
    validate_sample(value);
  }
  at::Tensor log_p0 = log_prob_zero(), log_p1 = log_prob_one();
  if (options_.reproduce_authors()) {
    log_p0 = at::log(log_p0.exp() + kAuthorsEps);
    log_p1 = at::log(log_p1.exp() + kAuthorsEps);
  }
  const at::Tensor z = (value - loc_) / scale_;
  const at::Tensor inside = -0.5 * z * z - scale_.log() - kHalfLog2Pi;
  return at::where(value <= 0, log_p0, at::where(value >= 1, log_p1, inside));
}

at::Tensor ClippedGaussian::entropy() const {
  const at::Tensor log_p0 = log_prob_zero(), log_p1 = log_prob_one();
  const at::Tensor p0 = log_p0.exp(), p1 = log_p1.exp();
  const Moments m = moments(loc_, scale_);
  // -∫_0^1 p log p = m0 log(sqrt(2 pi) scale) + m2 / 2.
  const at::Tensor continuous_log = m.m0 * (scale_.log() + kHalfLog2Pi);
  if (options_.reproduce_authors()) {
    return -p0 * at::log(p0 + kAuthorsEps) - p1 * at::log(p1 + kAuthorsEps) + continuous_log +
           0.5 * scale_ * m.m2;
  }
  // p log p from the log-probabilities, so an underflowed mass contributes an exact 0.
  return -p0 * log_p0 - p1 * log_p1 + continuous_log + 0.5 * m.m2;
}

at::Tensor ClippedGaussian::mean() const {
  const Moments m = moments(loc_, scale_);
  return log_prob_one().exp() + loc_ * m.m0 + scale_ * m.m1;
}

ClippedGaussian ClippedGaussian::expand(at::IntArrayRef batch_shape) const {
  return ClippedGaussian(loc_.expand(batch_shape), scale_.expand(batch_shape), options_, false);
}

ClippedGaussian bit_gaussian_sparsemax(const at::Tensor& logits, double std,
                                       c10::optional<bool> validate_args) {
  TORCH_CHECK(std > 0 && std::isfinite(std), "bit_gaussian_sparsemax: std must be positive and finite, got ",
              std);
  return ClippedGaussian(logits, at::full_like(logits, std / std::sqrt(2.0)), ClippedGaussianOptions(),
                         validate_args);
}

at::Tensor kl_divergence(const ClippedGaussian& p, const ClippedGaussian& q) {
  TORCH_CHECK(
      !p.options().reproduce_authors() && !q.options().reproduce_authors(),
      "kl_divergence(ClippedGaussian, ClippedGaussian): reproduce_authors distributions have a sampler "
      "that disagrees with their density; the KL is only defined for the consistent convention");
  const at::Tensor lp0 = p.log_prob_zero(), lp1 = p.log_prob_one();
  const at::Tensor lq0 = q.log_prob_zero(), lq1 = q.log_prob_one();
  const Moments m = moments(p.loc(), p.scale());
  // ∫_0^1 p log p and ∫_0^1 p log q from the truncated moments of p; (y - l_q) = s_p u + (l_p - l_q).
  const at::Tensor p_log_p = -m.m0 * (p.scale().log() + kHalfLog2Pi) - 0.5 * m.m2;
  const at::Tensor d = p.loc() - q.loc();
  const at::Tensor sq = p.scale() * p.scale() * m.m2 + 2.0 * p.scale() * d * m.m1 + d * d * m.m0;
  const at::Tensor p_log_q = -m.m0 * (q.scale().log() + kHalfLog2Pi) - sq / (2.0 * q.scale() * q.scale());
  return lp0.exp() * (lp0 - lq0) + lp1.exp() * (lp1 - lq1) + p_log_p - p_log_q;
}

at::Tensor ClippedGaussian::expected_face_dim() const {
  return 1.0 - log_prob_zero().exp() - log_prob_one().exp();
}

at::Tensor ClippedGaussian::entropy_bits(double precision_bits) const {
  return code_length_bits(entropy(), expected_face_dim(), precision_bits);
}

}  // namespace distributions
}  // namespace mixdist
