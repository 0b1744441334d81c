// torch.ops.mixdist.gibbs_faces_*: mixdist::GibbsFaces (include/mixdist/distributions/gibbs_faces.h), the
// face law of the Mixed Dirichlet, in the dispatcher (conventions: common.h): its normaliser, marginals,
// face-size law, exact sampler, entropy, mode, cross-entropy and KL, all closed form or O(K^2) for any K.

#include <c10/util/Optional.h>
#include <torch/library.h>

#include <utility>
#include <vector>

#include "common.h"
#include "mixdist/distributions/gibbs_faces.h"

namespace {

using mixdist::GibbsFaces;

GibbsFaces make(const at::Tensor& scores) {
  return GibbsFaces(scores, false);
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("gibbs_faces_batch_shape(Tensor scores, bool validate_args=True) -> int[]");
  m.def("gibbs_faces_log_prob(Tensor scores, Tensor value, bool validate_args=True) -> Tensor");
  m.def("gibbs_faces_sample(Tensor scores, int[] sample_shape=[], Generator? generator=None) -> Tensor");
  m.def("gibbs_faces_log_normalizer(Tensor scores) -> Tensor");
  m.def("gibbs_faces_marginals(Tensor scores) -> Tensor");
  m.def("gibbs_faces_log_size_pmf(Tensor scores) -> Tensor");
  m.def("gibbs_faces_entropy(Tensor scores) -> Tensor");
  m.def("gibbs_faces_mode(Tensor scores) -> Tensor");
  m.def("gibbs_faces_cross_entropy(Tensor p_scores, Tensor q_scores) -> Tensor");
  m.def("gibbs_faces_kl(Tensor p_scores, Tensor q_scores) -> Tensor");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("gibbs_faces_batch_shape", [](const at::Tensor& scores, bool validate_args) {
    return mixdist::python::shape_of(GibbsFaces(scores, validate_args));
  });
  m.impl("gibbs_faces_log_prob", [](const at::Tensor& scores, const at::Tensor& value, bool validate_args) {
    return GibbsFaces(scores, validate_args).log_prob(value);
  });
  m.impl("gibbs_faces_sample",
         [](const at::Tensor& scores, at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) {
           return make(scores).sample(sample_shape, std::move(generator));
         });
  m.impl("gibbs_faces_log_normalizer",
         [](const at::Tensor& scores) { return make(scores).log_normalizer(); });
  m.impl("gibbs_faces_marginals", [](const at::Tensor& scores) { return make(scores).marginals(); });
  m.impl("gibbs_faces_log_size_pmf", [](const at::Tensor& scores) { return make(scores).log_size_pmf(); });
  m.impl("gibbs_faces_entropy", [](const at::Tensor& scores) { return make(scores).entropy(); });
  m.impl("gibbs_faces_mode", [](const at::Tensor& scores) { return make(scores).mode(); });
  m.impl("gibbs_faces_cross_entropy", [](const at::Tensor& p_scores, const at::Tensor& q_scores) {
    return mixdist::cross_entropy(make(p_scores), make(q_scores));
  });
  m.impl("gibbs_faces_kl", [](const at::Tensor& p_scores, const at::Tensor& q_scores) {
    return mixdist::kl_divergence(make(p_scores), make(q_scores));
  });
}
