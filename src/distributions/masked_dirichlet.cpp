#include "mixdist/distributions/masked_dirichlet.h"

#include <limits>

#include "distributions/checks.h"
#include "mixdist/distributions/gibbs_faces.h"

namespace mixdist {
inline namespace distributions {
namespace {

double smallest_normal(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat:
      return std::numeric_limits<float>::min();
    case at::kDouble:
      return std::numeric_limits<double>::min();
    case at::kHalf:
      return 6.103515625e-05;
    case at::kBFloat16:
      return 1.1754943508222875e-38;
    default:
      return std::numeric_limits<float>::min();
  }
}

std::vector<int64_t> broadcast_batch(const at::Tensor& face, const at::Tensor& concentration) {
  if (!face.defined() || !concentration.defined() || face.dim() < 1 || concentration.dim() < 1) return {};
  return at::infer_size(face.sizes().slice(0, face.dim() - 1),
                        concentration.sizes().slice(0, concentration.dim() - 1));
}

}  // namespace

at::Tensor masked_dirichlet_sample(const at::Tensor& face, const at::Tensor& alpha_in,
                                   c10::optional<at::Generator> generator) {
  const auto shape = at::infer_size(face.sizes(), alpha_in.sizes());
  const at::Tensor f = face.expand(shape);
  // In double whatever the input (as dirichlet_log_sample): log G reaches -1e3 for alpha = 1e-3.
  const at::Tensor alpha = alpha_in.to(at::kDouble).expand(shape);
  // Outside the face the concentration is replaced by 1 before any special function, and its log-gamma by
  // -inf after, through where() so that neither branch's gradient leaks.
  const at::Tensor a = at::where(f, alpha, at::ones_like(alpha));
  // Gamma(a) = Gamma(a + 1) * U^(1/a): the log of the second factor stays finite however small a is.
  const at::Tensor g1 = at::_standard_gamma(a + 1.0, generator);
  const at::Tensor u = at::empty(shape, a.options()).uniform_(0.0, 1.0, generator).clamp_min(1e-300);
  const at::Tensor log_g = at::where(f, g1.log() + u.log() / a,
                                     at::full({}, -std::numeric_limits<double>::infinity(), a.options()));
  const at::Tensor log_y = (log_g - log_g.logsumexp(-1, /*keepdim=*/true)).to(alpha_in.scalar_type());
  const double tiny = smallest_normal(alpha_in.scalar_type());
  return at::where(f, log_y.exp().clamp_min(tiny), at::zeros_like(log_y));
}

at::Tensor masked_dirichlet_log_prob(const at::Tensor& value, const at::Tensor& face,
                                     const at::Tensor& alpha) {
  const at::Tensor a =
      at::where(face, alpha, at::ones({}, alpha.options()));  // lgamma(1) = 0, (1 - 1) log y = 0
  const at::Tensor a0 = at::where(face, alpha, at::zeros({}, alpha.options())).sum(-1);
  const at::Tensor y =
      at::where(face, value.clamp_min(smallest_normal(value.scalar_type())), at::ones({}, value.options()));
  return ((a - 1) * y.log()).sum(-1) - a.lgamma().sum(-1) + a0.lgamma();
}

at::Tensor masked_dirichlet_entropy(const at::Tensor& face, const at::Tensor& alpha) {
  const at::Tensor a = at::where(face, alpha, at::ones({}, alpha.options()));
  const at::Tensor a0 = at::where(face, alpha, at::zeros({}, alpha.options())).sum(-1);
  const at::Tensor n = face.sum(-1, /*keepdim=*/false, alpha.scalar_type());
  return a.lgamma().sum(-1) - a0.lgamma() + (a0 - n) * a0.digamma() - ((a - 1) * a.digamma()).sum(-1);
}

at::Tensor masked_dirichlet_kl(const at::Tensor& face, const at::Tensor& a_in, const at::Tensor& b_in) {
  const at::Tensor one = at::ones({}, a_in.options()), zero = at::zeros({}, a_in.options());
  const at::Tensor a = at::where(face, a_in, one), b = at::where(face, b_in, one);
  const at::Tensor a0 = at::where(face, a_in, zero).sum(-1), b0 = at::where(face, b_in, zero).sum(-1);
  return a0.lgamma() - b0.lgamma() - (a.lgamma() - b.lgamma()).sum(-1) +
         ((a - b) * (a.digamma() - a0.digamma().unsqueeze(-1))).sum(-1);
}

MaskedDirichlet::MaskedDirichlet(const at::Tensor& face, const at::Tensor& concentration,
                                 c10::optional<bool> validate_args)
    : Distribution(broadcast_batch(face, concentration),
                   concentration.defined() && concentration.dim() >= 1
                       ? std::vector<int64_t>{concentration.size(-1)}
                       : std::vector<int64_t>{},
                   validate_args) {
  detail::check_floating(name(), "concentration", concentration);
  detail::check_min_dim(name(), "concentration", concentration, 1);
  TORCH_CHECK(face.defined(), name(), ": face is undefined");
  detail::check_min_dim(name(), "face", face, 1);
  TORCH_CHECK(face.size(-1) == concentration.size(-1), name(), ": face has ", face.size(-1),
              " vertices but concentration has ", concentration.size(-1));
  if (this->validate_args()) validate_parameters({{"face", face}, {"concentration", concentration}});
  std::vector<int64_t> shape = batch_shape().vec();
  shape.push_back(concentration.size(-1));
  face_ = (face != 0).expand(shape);
  concentration_ = concentration.expand(shape);
}

at::Tensor MaskedDirichlet::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const auto shape = extended_shape(sample_shape);
  return masked_dirichlet_sample(face_.expand(shape), concentration_.expand(shape), std::move(generator));
}

at::Tensor MaskedDirichlet::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample_on_face(value, face_);
  return masked_dirichlet_log_prob(value, face_, concentration_);
}

at::Tensor MaskedDirichlet::entropy() const {
  return masked_dirichlet_entropy(face_, concentration_);
}

at::Tensor MaskedDirichlet::mean() const {
  const at::Tensor a = at::where(face_, concentration_, at::zeros({}, concentration_.options()));
  return a / a.sum(-1, /*keepdim=*/true);
}

MaskedDirichlet MaskedDirichlet::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(num_vertices());
  return MaskedDirichlet(face_.expand(shape), concentration_.expand(shape), false);
}

at::Tensor kl_divergence(const MaskedDirichlet& p, const MaskedDirichlet& q) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MaskedDirichlet, MaskedDirichlet): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  const at::Tensor same_face = (p.face() == q.face()).all(-1);
  const at::Tensor kl = masked_dirichlet_kl(p.face(), p.concentration(), q.concentration());
  return at::where(same_face, kl, at::full({}, std::numeric_limits<double>::infinity(), kl.options()));
}

}  // namespace distributions
}  // namespace mixdist
