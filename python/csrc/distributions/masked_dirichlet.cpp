// torch.ops.mixdist.masked_dirichlet_*: mixdist::MaskedDirichlet
// (include/mixdist/distributions/masked_dirichlet.h), the Dirichlet on one face of the simplex, in the
// dispatcher (conventions: common.h). The face is a bool or 0/1 mask; samples are exactly 0 off the face and
// reparameterised (implicit gradient of the Gamma sampler) on it.

#include <c10/util/Optional.h>
#include <torch/library.h>

#include <utility>
#include <vector>

#include "common.h"
#include "mixdist/distributions/masked_dirichlet.h"

namespace {

using mixdist::MaskedDirichlet;

MaskedDirichlet make(const at::Tensor& face, const at::Tensor& concentration) {
  return MaskedDirichlet(face, concentration, false);
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("masked_dirichlet_batch_shape(Tensor face, Tensor concentration, bool validate_args=True) -> int[]");
  m.def(
      "masked_dirichlet_log_prob(Tensor face, Tensor concentration, Tensor value, bool validate_args=True) "
      "-> Tensor");
  m.def(
      "masked_dirichlet_rsample(Tensor face, Tensor concentration, int[] sample_shape=[], "
      "Generator? generator=None) -> Tensor");
  m.def("masked_dirichlet_entropy(Tensor face, Tensor concentration) -> Tensor");
  m.def("masked_dirichlet_mean(Tensor face, Tensor concentration) -> Tensor");
  m.def(
      "masked_dirichlet_kl(Tensor p_face, Tensor p_concentration, Tensor q_face, Tensor q_concentration) "
      "-> Tensor");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("masked_dirichlet_batch_shape",
         [](const at::Tensor& face, const at::Tensor& concentration, bool validate_args) {
           return mixdist::python::shape_of(MaskedDirichlet(face, concentration, validate_args));
         });
  m.impl("masked_dirichlet_log_prob", [](const at::Tensor& face, const at::Tensor& concentration,
                                         const at::Tensor& value, bool validate_args) {
    return MaskedDirichlet(face, concentration, validate_args).log_prob(value);
  });
  m.impl("masked_dirichlet_rsample",
         [](const at::Tensor& face, const at::Tensor& concentration, at::IntArrayRef sample_shape,
            c10::optional<at::Generator> generator) {
           return make(face, concentration).rsample(sample_shape, std::move(generator));
         });
  m.impl("masked_dirichlet_entropy", [](const at::Tensor& face, const at::Tensor& concentration) {
    return make(face, concentration).entropy();
  });
  m.impl("masked_dirichlet_mean", [](const at::Tensor& face, const at::Tensor& concentration) {
    return make(face, concentration).mean();
  });
  m.impl("masked_dirichlet_kl", [](const at::Tensor& p_face, const at::Tensor& p_concentration,
                                   const at::Tensor& q_face, const at::Tensor& q_concentration) {
    return mixdist::kl_divergence(make(p_face, p_concentration), make(q_face, q_concentration));
  });
}
