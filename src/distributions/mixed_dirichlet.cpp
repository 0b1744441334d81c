#include "mixdist/distributions/mixed_dirichlet.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>

#include "distributions/checks.h"
#include "mixdist/simplex/faces.h"

namespace mixdist {
namespace {

const char* const kMixed = "MixedDirichlet";

std::vector<int64_t> mixed_batch(const at::Tensor& scores, const at::Tensor& concentration) {
  if (!scores.defined() || !concentration.defined() || scores.dim() < 1 || concentration.dim() < 1) return {};
  return at::infer_size(scores.sizes().slice(0, scores.dim() - 1),
                        concentration.sizes().slice(0, concentration.dim() - 1));
}

// Validates both parameters (naming MixedDirichlet) and returns the scores expanded to the common shape.
at::Tensor checked_scores(const at::Tensor& scores, const at::Tensor& concentration, bool validate) {
  detail::check_floating(kMixed, "scores", scores);
  detail::check_floating(kMixed, "concentration", concentration);
  detail::check_min_dim(kMixed, "scores", scores, 1);
  detail::check_min_dim(kMixed, "concentration", concentration, 1);
  TORCH_CHECK(scores.size(-1) == concentration.size(-1), kMixed, ": scores have ", scores.size(-1),
              " vertices but concentration has ", concentration.size(-1));
  TORCH_CHECK(scores.size(-1) >= 1, kMixed, ": need at least one vertex, got shape ", scores.sizes());
  if (validate) {
    detail::check_none(kMixed, "scores", scores, ~scores.isfinite(), "finite");
    detail::check_positive(kMixed, "concentration", concentration);
  }
  std::vector<int64_t> shape = mixed_batch(scores, concentration);
  shape.push_back(scores.size(-1));
  return scores.expand(shape);
}

void check_simplex_value(const std::string& dist, const at::Tensor& value) {
  detail::check_floating(dist, "value", value);
  detail::check_none(dist, "value", value, ~(value >= 0), "a point of the simplex (entries >= 0)");
  const at::Tensor sums = value.sum(-1);
  detail::check_none(dist, "value (sum of a row)", sums, (sums - 1).abs() > 1e-4, "1");
}

void check_value_on_face(const std::string& dist, const at::Tensor& value, const at::Tensor& face) {
  detail::check_face_mask(dist, "face", face);
  const at::Tensor outside = (value != 0) & (face == 0);
  detail::check_none(dist, "value", value.expand(outside.sizes()), outside, "0 outside the given face");
}

// sum_{k in f} c_k for every face: enumerated faces [M, K] against terms batch + [K] give batch + [M] with
// one matmul; sampled faces [S, batch..., K] give [S, batch...] elementwise.
at::Tensor face_sum(const at::Tensor& face, const at::Tensor& c, bool enumerated) {
  const at::Tensor f = face.to(c.scalar_type());
  return enumerated ? at::matmul(c, f.t()) : (f * c).sum(-1);
}

// H(Dir(a_f)) = sum_{i in f} [lgamma(a_i) - (a_i - 1) psi(a_i)] - lgamma(a0) + (a0 - n) psi(a0). Over the
// enumerated faces only the a0 terms are non-linear in the face, so the per-coordinate part is summed for all
// faces by one matmul and the special functions run on batch x faces instead of batch x faces x K (10x
// fewer at K = 10). Sampled faces use the masked formula (exactly 0 on vertices).
at::Tensor within_face_entropy(const at::Tensor& face, const at::Tensor& a, bool enumerated) {
  if (!enumerated) return masked_dirichlet_entropy(face, a);
  const at::Tensor a0 = face_sum(face, a, true);
  const at::Tensor n = face.sum(-1, /*keepdim=*/false, a.scalar_type());
  return face_sum(face, a.lgamma() - (a - 1) * a.digamma(), true) - a0.lgamma() + (a0 - n) * a0.digamma();
}

// KL(Dir(a_f) || Dir(b_f)) = lgamma(a0) - lgamma(b0) - sum_f (lgamma a_i - lgamma b_i)
//                            + sum_f (a_i - b_i) psi(a_i) - psi(a0) sum_f (a_i - b_i), split the same way.
at::Tensor within_face_kl(const at::Tensor& face, const at::Tensor& a, const at::Tensor& b, bool enumerated) {
  if (!enumerated) return masked_dirichlet_kl(face, a, b);
  const at::Tensor a0 = face_sum(face, a, true), b0 = face_sum(face, b, true);
  const at::Tensor linear = face_sum(face, (a - b) * a.digamma() - a.lgamma() + b.lgamma(), true);
  return a0.lgamma() - b0.lgamma() + linear - a0.digamma() * face_sum(face, a - b, true);
}

}  // namespace

at::Tensor expect_over_faces(const GibbsFaces& law,
                             const std::function<at::Tensor(const at::Tensor& face, bool enumerated)>& g,
                             const FaceExpectationOptions& options) {
  const int64_t K = law.num_vertices();
  if (K <= std::min(options.max_enumeration_vertices(), kMaxEnumeratedVertices)) {
    const at::Tensor faces = enumerate_faces(K).to(law.scores().device());
    const int64_t M = faces.size(0);
    const at::Tensor w = law.scores();
    // log P(f) = 2 w.f - sum w - log Z; the constant part as batch + [1].
    const at::Tensor offset = -w.sum(-1, /*keepdim=*/true) - law.log_normalizer().unsqueeze(-1);
    int64_t batch = 1;
    for (int64_t s : law.batch_shape()) batch *= s;
    // At most about 4M elements per batch x chunk intermediate.
    const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(1, batch));
    at::Tensor total;
    for (int64_t start = 0; start < M; start += chunk) {
      const at::Tensor fc = faces.narrow(0, start, std::min(chunk, M - start));
      const at::Tensor log_p = 2 * face_sum(fc, w, true) + offset;  // batch + [c]
      const at::Tensor part = (log_p.exp() * g(fc, true)).sum(-1);
      total = total.defined() ? total + part : part;
    }
    return total;
  }
  TORCH_CHECK(options.num_samples() >= 1, "expect_over_faces: num_samples must be >= 1, got ",
              options.num_samples());
  const at::Tensor faces = law.sample({options.num_samples()}, options.generator()) != 0;
  return g(faces, false).mean(0);
}

// ---------------------------------------------------------------------------------------------------------
// MixedDirichlet

MixedDirichlet::MixedDirichlet(const at::Tensor& scores, const at::Tensor& concentration,
                               c10::optional<bool> validate_args)
    : Distribution(mixed_batch(scores, concentration),
                   scores.defined() && scores.dim() >= 1 ? std::vector<int64_t>{scores.size(-1)}
                                                         : std::vector<int64_t>{},
                   validate_args),
      face_law_(checked_scores(scores, concentration, this->validate_args()), false),
      concentration_(concentration.expand(face_law_.scores().sizes())) {}

at::Tensor MixedDirichlet::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  return rsample_with_face(sample_shape, std::move(generator)).value;
}

FacedSample MixedDirichlet::rsample_with_face(at::IntArrayRef sample_shape,
                                              c10::optional<at::Generator> generator) const {
  const at::Tensor face = face_law_.sample(sample_shape, generator) != 0;
  const at::Tensor value =
      sample_masked_dirichlet(face, concentration_.expand(extended_shape(sample_shape)), generator);
  return {value, face};
}

FacedSample MixedDirichlet::sample_with_face(at::IntArrayRef sample_shape,
                                             c10::optional<at::Generator> generator) const {
  c10::NoGradGuard no_grad;
  FacedSample s = rsample_with_face(sample_shape, std::move(generator));
  return {s.value.detach(), s.face};
}

at::Tensor MixedDirichlet::log_prob(const at::Tensor& value) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
  }
  return face_law_.log_prob(value > 0) + masked_dirichlet_log_prob(value, value > 0, concentration_);
}

at::Tensor MixedDirichlet::log_prob(const at::Tensor& value, const at::Tensor& face) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
    check_value_on_face(name(), value, face);
  }
  const at::Tensor f = face != 0;
  return face_law_.log_prob(f) + masked_dirichlet_log_prob(value, f, concentration_);
}

at::Tensor MixedDirichlet::entropy(const FaceExpectationOptions& options) const {
  const at::Tensor alpha = concentration_;
  const at::Tensor within = expect_over_faces(
      face_law_,
      [&](const at::Tensor& face, bool enumerated) { return within_face_entropy(face, alpha, enumerated); },
      options);
  return face_law_.entropy() + within;
}

at::Tensor MixedDirichlet::expected_face_dim() const {
  return face_law_.marginals().sum(-1) - 1;
}

at::Tensor MixedDirichlet::entropy_bits(double N, const FaceExpectationOptions& options) const {
  return entropy(options) / std::log(2.0) + N * expected_face_dim();
}

MixedDirichlet MixedDirichlet::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(num_vertices());
  return MixedDirichlet(scores().expand(shape), concentration_.expand(shape), false);
}

MaskedDirichlet MixedDirichlet::within_face(const at::Tensor& face) const {
  return MaskedDirichlet(face, concentration_, validate_args());
}

at::Tensor kl_divergence(const MixedDirichlet& p, const MixedDirichlet& q,
                         const FaceExpectationOptions& options) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MixedDirichlet, MixedDirichlet): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  const at::Tensor a = p.concentration(), b = q.concentration();
  const at::Tensor within = expect_over_faces(
      p.face_law(),
      [&](const at::Tensor& face, bool enumerated) { return within_face_kl(face, a, b, enumerated); },
      options);
  return kl_divergence(p.face_law(), q.face_law()) + within;
}

// ---------------------------------------------------------------------------------------------------------
// MixedMaxEntDirichletPrior

MixedMaxEntDirichletPrior::MixedMaxEntDirichletPrior(int64_t K, double N, MaxEntropyFacesVariant variant,
                                                     at::ScalarType dtype, c10::optional<bool> validate_args)
    : Distribution({}, {K}, validate_args), face_law_(K, N, variant, dtype, this->validate_args()) {}

MixedMaxEntDirichletPrior::MixedMaxEntDirichletPrior(MaxEntropyFaces face_law)
    : Distribution(face_law.batch_shape().vec(), {face_law.num_vertices()}, false),
      face_law_(std::move(face_law)) {}

at::Tensor MixedMaxEntDirichletPrior::log_prob(const at::Tensor& value) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
  }
  return log_prob(value, value > 0);
}

at::Tensor MixedMaxEntDirichletPrior::log_prob(const at::Tensor& value, const at::Tensor& face) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
    check_value_on_face(name(), value, face);
  }
  // Uniform on an n-vertex face: density 1 / vol = (n - 1)!.
  const at::Tensor n = (face != 0).sum(-1, /*keepdim=*/false, face_law_.log_size_pmf().scalar_type());
  return face_law_.log_prob(face) + n.lgamma();
}

at::Tensor MixedMaxEntDirichletPrior::entropy() const {
  const at::Tensor lp = face_law_.log_size_pmf();
  const at::Tensor n = at::arange(1, num_vertices() + 1, lp.options());
  return face_law_.entropy() - (lp.exp() * n.lgamma()).sum(-1);
}

at::Tensor MixedMaxEntDirichletPrior::expected_face_dim() const {
  const at::Tensor lp = face_law_.log_size_pmf();
  const at::Tensor n = at::arange(1, num_vertices() + 1, lp.options());
  return (lp.exp() * (n - 1)).sum(-1);
}

at::Tensor MixedMaxEntDirichletPrior::entropy_bits(double N) const {
  return entropy() / std::log(2.0) + N * expected_face_dim();
}

MixedMaxEntDirichletPrior MixedMaxEntDirichletPrior::expand(at::IntArrayRef batch_shape) const {
  return MixedMaxEntDirichletPrior(face_law_.expand(batch_shape));
}

at::Tensor MixedMaxEntDirichletPrior::draw(at::IntArrayRef sample_shape,
                                           c10::optional<at::Generator> generator) const {
  const at::Tensor face = face_law_.sample(sample_shape, generator);
  return sample_masked_dirichlet(face != 0, at::ones_like(face), generator);
}

at::Tensor kl_divergence(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q,
                         const FaceExpectationOptions& options) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MixedDirichlet, MixedMaxEntDirichletPrior): ", p.num_vertices(), " vs ",
              q.num_vertices(), " vertices");
  const at::Tensor alpha = p.concentration();
  const at::Tensor within_entropy = expect_over_faces(
      p.face_law(),
      [&](const at::Tensor& face, bool enumerated) { return within_face_entropy(face, alpha, enumerated); },
      options);
  // KL(Dir(a_f) || uniform) = -H(Dir(a_f)) - log (n-1)!, and E[log (|F|-1)!] comes from the size law.
  const at::Tensor n = at::arange(1, p.num_vertices() + 1, alpha.options());
  const at::Tensor log_vol_term = (p.face_law().log_size_pmf().exp() * n.lgamma()).sum(-1);
  return kl_divergence(p.face_law(), q.face_law()) - within_entropy - log_vol_term;
}

at::Tensor score_function_surrogate(const at::Tensor& face_log_prob, const at::Tensor& reward,
                                    const at::Tensor& baseline) {
  return (reward - baseline).detach() * face_log_prob;
}

}  // namespace mixdist
