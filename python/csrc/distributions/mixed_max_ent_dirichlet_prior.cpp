// torch.ops.mixdist.mixed_max_ent_dirichlet_prior_*: mixdist::MixedMaxEntDirichletPrior
// (include/mixdist/distributions/mixed_max_ent_dirichlet_prior.h), the prior of the mixed latents of the
// MNIST VAE (a max-entropy face, then the uniform Dirichlet on it), and KL(MixedDirichlet || prior), in the
// dispatcher (conventions: common.h). The prior is described as MaxEntropyFaces is (max_entropy_faces.h):
// K, N, variant, dtype and a batch shape of identical priors.

#include <c10/core/ScalarType.h>
#include <c10/util/Optional.h>
#include <c10/util/string_view.h>
#include <torch/library.h>

#include <tuple>
#include <utility>

#include "common.h"
#include "max_entropy_faces.h"
#include "mixdist/distributions/mixed_dirichlet.h"
#include "mixdist/distributions/mixed_max_ent_dirichlet_prior.h"

namespace {

using mixdist::MixedMaxEntDirichletPrior;

MixedMaxEntDirichletPrior make(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                               at::IntArrayRef batch_shape, bool validate_args = false) {
  const MixedMaxEntDirichletPrior d(K, N, mixdist::python::parse_max_entropy_variant(variant), dtype,
                                    validate_args);
  return batch_shape.empty() ? d : d.expand(batch_shape);
}

mixdist::MixedDirichlet mixed_dirichlet(const at::Tensor& scores, const at::Tensor& concentration) {
  return mixdist::MixedDirichlet(mixdist::MixedDirichletOptions().scores(scores).concentration(concentration),
                                 false);
}

at::Tensor log_prob(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                    at::IntArrayRef batch_shape, const at::Tensor& value,
                    const c10::optional<at::Tensor>& face, bool validate_args) {
  const MixedMaxEntDirichletPrior d = make(K, N, variant, dtype, batch_shape, validate_args);
  return face.has_value() ? d.log_prob(value, *face) : d.log_prob(value);
}

at::Tensor sample(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                  at::IntArrayRef batch_shape, at::IntArrayRef sample_shape,
                  c10::optional<at::Generator> generator) {
  return make(K, N, variant, dtype, batch_shape).sample(sample_shape, std::move(generator));
}

at::Tensor entropy(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                   at::IntArrayRef batch_shape) {
  return make(K, N, variant, dtype, batch_shape).entropy();
}

at::Tensor expected_face_dim(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                             at::IntArrayRef batch_shape) {
  return make(K, N, variant, dtype, batch_shape).expected_face_dim();
}

at::Tensor entropy_bits(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                        at::IntArrayRef batch_shape, double precision_bits) {
  return make(K, N, variant, dtype, batch_shape).entropy_bits(precision_bits);
}

at::Tensor kl(const at::Tensor& p_scores, const at::Tensor& p_concentration, int64_t q_K, double q_N,
              c10::string_view q_variant, at::IntArrayRef q_batch_shape) {
  return mixdist::kl_divergence(mixed_dirichlet(p_scores, p_concentration),
                                make(q_K, q_N, q_variant, p_scores.scalar_type(), q_batch_shape));
}

std::tuple<at::Tensor, at::Tensor> kl_mc(const at::Tensor& p_scores, const at::Tensor& p_concentration,
                                         int64_t q_K, double q_N, c10::string_view q_variant,
                                         at::IntArrayRef q_batch_shape, int64_t num_samples,
                                         c10::optional<at::Generator> generator) {
  return mixdist::python::as_tuple(mixdist::kl_divergence_mc(
      mixed_dirichlet(p_scores, p_concentration),
      make(q_K, q_N, q_variant, p_scores.scalar_type(), q_batch_shape), num_samples, std::move(generator)));
}

}  // namespace

#define MIXDIST_PRIOR "int K, float N, str variant, ScalarType dtype, int[] batch_shape"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  // Without a tensor argument: defined with their kernel (see max_entropy_faces.cpp).
  m.def("mixed_max_ent_dirichlet_prior_sample(" MIXDIST_PRIOR
        ", int[] sample_shape=[], Generator? generator=None) -> Tensor",
        &sample);
  m.def("mixed_max_ent_dirichlet_prior_entropy(" MIXDIST_PRIOR ") -> Tensor", &entropy);
  m.def("mixed_max_ent_dirichlet_prior_entropy_bits(" MIXDIST_PRIOR ", float precision_bits) -> Tensor",
        &entropy_bits);
  m.def("mixed_max_ent_dirichlet_prior_expected_face_dim(" MIXDIST_PRIOR ") -> Tensor", &expected_face_dim);
  m.def("mixed_max_ent_dirichlet_prior_log_prob(" MIXDIST_PRIOR
        ", Tensor value, Tensor? face=None, bool validate_args=True) -> Tensor");
  m.def(
      "mixed_dirichlet_mixed_max_ent_dirichlet_prior_kl(Tensor p_scores, Tensor p_concentration, int q_K, "
      "float q_N, str q_variant, int[] q_batch_shape) -> Tensor");
  m.def(
      "mixed_dirichlet_mixed_max_ent_dirichlet_prior_kl_mc(Tensor p_scores, Tensor p_concentration, int q_K, "
      "float q_N, str q_variant, int[] q_batch_shape, int num_samples, Generator? generator=None) "
      "-> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("mixed_max_ent_dirichlet_prior_log_prob", &log_prob);
  m.impl("mixed_dirichlet_mixed_max_ent_dirichlet_prior_kl", &kl);
  m.impl("mixed_dirichlet_mixed_max_ent_dirichlet_prior_kl_mc", &kl_mc);
}
