// torch.ops.mixdist.mixed_dirichlet_*: mixdist::MixedDirichlet
// (include/mixdist/distributions/mixed_dirichlet.h), a Gibbs face then a Dirichlet on it, in the dispatcher
// (conventions: common.h): log_prob (face from the value, or given), the faced sampler, the exact entropy
// and KL (enumeration, K <= 24) and their Monte Carlo forms for any K (exact face part, sampled within-face
// part). The face part alone is gibbs_faces_* (gibbs_faces.cpp) of the scores.
//
// The C++ class takes its two same-shaped parameters by name only; the ops name them too (scores first, as
// in MixedDirichletOptions), and the Python class makes them keyword-only.

#include <c10/util/Optional.h>
#include <torch/library.h>

#include <tuple>
#include <utility>
#include <vector>

#include "common.h"
#include "mixdist/distributions/mixed_dirichlet.h"

namespace {

using mixdist::MixedDirichlet;

MixedDirichlet make(const at::Tensor& scores, const at::Tensor& concentration, bool validate_args = false) {
  return MixedDirichlet(mixdist::MixedDirichletOptions().scores(scores).concentration(concentration),
                        validate_args);
}

at::Tensor log_prob(const at::Tensor& scores, const at::Tensor& concentration, const at::Tensor& value,
                    const c10::optional<at::Tensor>& face, bool validate_args) {
  const MixedDirichlet d = make(scores, concentration, validate_args);
  return face.has_value() ? d.log_prob(value, *face) : d.log_prob(value);
}

std::tuple<at::Tensor, at::Tensor> rsample_with_face(const at::Tensor& scores,
                                                     const at::Tensor& concentration,
                                                     at::IntArrayRef sample_shape,
                                                     c10::optional<at::Generator> generator) {
  const mixdist::FacedSample s =
      make(scores, concentration).rsample_with_face(sample_shape, std::move(generator));
  return {s.value, s.face};
}

std::tuple<at::Tensor, at::Tensor> entropy_mc(const at::Tensor& scores, const at::Tensor& concentration,
                                              int64_t num_samples, c10::optional<at::Generator> generator) {
  return mixdist::python::as_tuple(make(scores, concentration).entropy_mc(num_samples, std::move(generator)));
}

at::Tensor kl(const at::Tensor& p_scores, const at::Tensor& p_concentration, const at::Tensor& q_scores,
              const at::Tensor& q_concentration) {
  return mixdist::kl_divergence(make(p_scores, p_concentration), make(q_scores, q_concentration));
}

std::tuple<at::Tensor, at::Tensor> kl_mc(const at::Tensor& p_scores, const at::Tensor& p_concentration,
                                         const at::Tensor& q_scores, const at::Tensor& q_concentration,
                                         int64_t num_samples, c10::optional<at::Generator> generator) {
  return mixdist::python::as_tuple(mixdist::kl_divergence_mc(
      make(p_scores, p_concentration), make(q_scores, q_concentration), num_samples, std::move(generator)));
}

std::tuple<at::Tensor, at::Tensor> entropy_bits_mc(const at::Tensor& scores, const at::Tensor& concentration,
                                                   double N, int64_t num_samples,
                                                   c10::optional<at::Generator> generator) {
  return mixdist::python::as_tuple(
      make(scores, concentration).entropy_bits_mc(N, num_samples, std::move(generator)));
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("mixed_dirichlet_batch_shape(Tensor scores, Tensor concentration, bool validate_args=True) -> int[]");
  m.def(
      "mixed_dirichlet_log_prob(Tensor scores, Tensor concentration, Tensor value, Tensor? face=None, "
      "bool validate_args=True) -> Tensor");
  m.def(
      "mixed_dirichlet_rsample_with_face(Tensor scores, Tensor concentration, int[] sample_shape=[], "
      "Generator? generator=None) -> (Tensor value, Tensor face)");
  m.def("mixed_dirichlet_entropy(Tensor scores, Tensor concentration) -> Tensor");
  m.def(
      "mixed_dirichlet_entropy_mc(Tensor scores, Tensor concentration, int num_samples, "
      "Generator? generator=None) -> (Tensor, Tensor)");
  m.def("mixed_dirichlet_entropy_bits(Tensor scores, Tensor concentration, float N) -> Tensor");
  m.def(
      "mixed_dirichlet_entropy_bits_mc(Tensor scores, Tensor concentration, float N, int num_samples, "
      "Generator? generator=None) -> (Tensor, Tensor)");
  m.def("mixed_dirichlet_expected_face_dim(Tensor scores, Tensor concentration) -> Tensor");
  m.def(
      "mixed_dirichlet_kl(Tensor p_scores, Tensor p_concentration, Tensor q_scores, Tensor q_concentration) "
      "-> Tensor");
  m.def(
      "mixed_dirichlet_kl_mc(Tensor p_scores, Tensor p_concentration, Tensor q_scores, Tensor "
      "q_concentration, "
      "int num_samples, Generator? generator=None) -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("mixed_dirichlet_batch_shape",
         [](const at::Tensor& scores, const at::Tensor& concentration, bool validate_args) {
           return mixdist::python::shape_of(make(scores, concentration, validate_args));
         });
  m.impl("mixed_dirichlet_log_prob", &log_prob);
  m.impl("mixed_dirichlet_rsample_with_face", &rsample_with_face);
  m.impl("mixed_dirichlet_entropy", [](const at::Tensor& scores, const at::Tensor& concentration) {
    return make(scores, concentration).entropy();
  });
  m.impl("mixed_dirichlet_entropy_mc", &entropy_mc);
  m.impl("mixed_dirichlet_entropy_bits",
         [](const at::Tensor& scores, const at::Tensor& concentration, double N) {
           return make(scores, concentration).entropy_bits(N);
         });
  m.impl("mixed_dirichlet_entropy_bits_mc", &entropy_bits_mc);
  m.impl("mixed_dirichlet_expected_face_dim", [](const at::Tensor& scores, const at::Tensor& concentration) {
    return make(scores, concentration).expected_face_dim();
  });
  m.impl("mixed_dirichlet_kl", &kl);
  m.impl("mixed_dirichlet_kl_mc", &kl_mc);
}
