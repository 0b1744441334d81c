#include "mixdist/distributions/mixed_max_ent_dirichlet_prior.h"

#include <cmath>

#include "distributions/within_face_terms.h"

namespace mixdist {
inline namespace distributions {

MixedMaxEntDirichletPrior::MixedMaxEntDirichletPrior(int64_t K, double N, MaxEntropyFacesVariant variant,
                                                     at::ScalarType dtype, c10::optional<bool> validate_args)
    : Distribution({}, {K}, validate_args), face_law_(K, N, variant, dtype, this->validate_args()) {}

MixedMaxEntDirichletPrior::MixedMaxEntDirichletPrior(MaxEntropyFaces face_law)
    : Distribution(face_law.batch_shape().vec(), {face_law.num_vertices()}, false),
      face_law_(std::move(face_law)) {}

at::Tensor MixedMaxEntDirichletPrior::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  return log_prob_on_face(value > 0);
}

at::Tensor MixedMaxEntDirichletPrior::log_prob(const at::Tensor& value, const at::Tensor& face) const {
  if (validate_args()) validate_sample_on_face(value, face);
  return log_prob_on_face(face);
}

at::Tensor MixedMaxEntDirichletPrior::log_prob_on_face(const at::Tensor& face) const {
  // Uniform on an n-vertex face: density 1 / vol = (n - 1)!.
  const at::Tensor n = (face != 0).sum(-1, /*keepdim=*/false, face_law_.log_size_pmf().scalar_type());
  return face_law_.log_prob(face) + n.lgamma();
}

at::Tensor MixedMaxEntDirichletPrior::entropy() const {
  return face_law_.entropy() - detail::expected_log_face_volume_inverse(face_law_.log_size_pmf());
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
  return masked_dirichlet_sample(face != 0, at::ones_like(face), generator);
}

namespace {
void check_same_vertices(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MixedDirichlet, MixedMaxEntDirichletPrior): ", p.num_vertices(), " vs ",
              q.num_vertices(), " vertices");
}
// KL(Dir(a_f) || uniform) = -H(Dir(a_f)) - log (n-1)!, so KL+ = KL(P_F || MaxEnt) - E_F[H(Dir(a_F))] -
// E_F[log (|F|-1)!], the last term exact from the face-size law.
at::Tensor combine(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q,
                   const at::Tensor& within_entropy) {
  return kl_divergence(p.face_law(), q.face_law()) - within_entropy -
         detail::expected_log_face_volume_inverse(p.face_law().log_size_pmf());
}
}  // namespace

at::Tensor kl_divergence(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q) {
  check_same_vertices(p, q);
  return combine(p, q, expect_over_face_sums(p.face_law(), detail::within_face_entropy(p.concentration())));
}

Estimate kl_divergence_mc(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q, int64_t num_samples,
                          c10::optional<at::Generator> generator) {
  check_same_vertices(p, q);
  const Estimate within = expect_over_face_sums_mc(
      p.face_law(), detail::within_face_entropy(p.concentration()), num_samples, std::move(generator));
  return {combine(p, q, within.value), within.standard_error};
}

}  // namespace distributions
}  // namespace mixdist
