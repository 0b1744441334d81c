#include "mixdist/distributions/dirichlet.h"

#include "distributions/checks.h"

namespace mixdist {
inline namespace distributions {

Dirichlet::Dirichlet(const at::Tensor& concentration, c10::optional<bool> validate_args)
    : Distribution(concentration.defined() && concentration.dim() >= 1
                       ? concentration.sizes().slice(0, concentration.dim() - 1).vec()
                       : std::vector<int64_t>{},
                   concentration.defined() && concentration.dim() >= 1
                       ? std::vector<int64_t>{concentration.size(-1)}
                       : std::vector<int64_t>{},
                   validate_args),
      concentration_(concentration) {
  detail::check_floating(name(), "concentration", concentration);
  detail::check_min_dim(name(), "concentration", concentration, 1);
  if (this->validate_args()) validate_parameters({{"concentration", concentration}});
}

at::Tensor dirichlet_log_sample(const at::Tensor& alpha_in, c10::optional<at::Generator> generator) {
  // In double whatever the input type: log G reaches -1e3 and beyond for tiny alpha, where a float ulp (6e-5)
  // would show in exp(log y).
  const at::Tensor alpha = alpha_in.to(at::kDouble);
  // Gamma(a) = Gamma(a + 1) * U^(1/a): the log of the second factor is log(U)/a, finite however small a is.
  const at::Tensor g1 = at::_standard_gamma(alpha + 1.0, generator);
  const at::Tensor u = at::empty_like(alpha).uniform_(0.0, 1.0, generator).clamp_min(1e-300);
  const at::Tensor log_g = g1.log() + u.log() / alpha;
  return (log_g - log_g.logsumexp(-1, /*keepdim=*/true)).to(alpha_in.scalar_type());
}

at::Tensor Dirichlet::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const at::Tensor alpha = concentration_.expand(extended_shape(sample_shape));
  return dirichlet_log_sample(alpha, std::move(generator)).exp();
}

at::Tensor Dirichlet::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  const at::Tensor a = concentration_;
  return ((a - 1) * value.log()).sum(-1) + a.sum(-1).lgamma() - a.lgamma().sum(-1);
}

at::Tensor Dirichlet::entropy() const {
  const at::Tensor a = concentration_;
  const at::Tensor a0 = a.sum(-1);
  const double K = static_cast<double>(a.size(-1));
  const at::Tensor log_beta = a.lgamma().sum(-1) - a0.lgamma();
  return log_beta + (a0 - K) * a0.digamma() - ((a - 1) * a.digamma()).sum(-1);
}

at::Tensor Dirichlet::mean() const {
  return concentration_ / concentration_.sum(-1, true);
}

at::Tensor Dirichlet::mode() const {
  // Defined where every concentration exceeds 1 (interior mode); NaN elsewhere, as in torch.distributions.
  const at::Tensor a = concentration_;
  const at::Tensor m = (a - 1) / (a.sum(-1, true) - static_cast<double>(a.size(-1)));
  return at::where((a > 1).all(-1, true), m, at::full_like(m, std::numeric_limits<double>::quiet_NaN()));
}

at::Tensor Dirichlet::variance() const {
  const at::Tensor a0 = concentration_.sum(-1, true);
  const at::Tensor m = concentration_ / a0;
  return m * (1 - m) / (a0 + 1);
}

Dirichlet Dirichlet::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(concentration_.size(-1));
  return Dirichlet(concentration_.expand(shape), false);
}

at::Tensor kl_divergence(const Dirichlet& p, const Dirichlet& q) {
  const at::Tensor a = p.concentration(), b = q.concentration();
  TORCH_CHECK(a.size(-1) == b.size(-1), "kl_divergence(Dirichlet, Dirichlet): ", a.size(-1), " vs ",
              b.size(-1), " coordinates");
  const at::Tensor a0 = a.sum(-1), b0 = b.sum(-1);
  return a0.lgamma() - a.lgamma().sum(-1) - b0.lgamma() + b.lgamma().sum(-1) +
         ((a - b) * (a.digamma() - a0.digamma().unsqueeze(-1))).sum(-1);
}

}  // namespace distributions
}  // namespace mixdist
