// torch.ops.mixdist.gaussian_sparsemax_*: mixdist::GaussianSparsemax
// (include/mixdist/distributions/gaussian_sparsemax.h) in the dispatcher, one op per method the Python class
// mixdist.distributions.GaussianSparsemax needs (conventions: common.h).
//
// The fields of GaussianSparsemaxOptions are keyword arguments, in this order, of every op whose result
// goes through the density (adaptive_quadrature, quadrature_tolerance, quadrature_nodes, centre_on_mode,
// closed_form_k2). log_prob's gradient is the C++ one (the same Gauss-Kronrod panels applied to the
// integrand's derivative).

#include <c10/util/Optional.h>
#include <torch/library.h>

#include <tuple>
#include <utility>
#include <vector>

#include "common.h"
#include "mixdist/distributions/gaussian_sparsemax.h"

namespace {

using mixdist::GaussianSparsemax;
using mixdist::GaussianSparsemaxOptions;

GaussianSparsemaxOptions options(bool adaptive_quadrature, double quadrature_tolerance,
                                 int64_t quadrature_nodes, bool centre_on_mode, bool closed_form_k2) {
  return GaussianSparsemaxOptions()
      .adaptive_quadrature(adaptive_quadrature)
      .quadrature_tolerance(quadrature_tolerance)
      .quadrature_nodes(quadrature_nodes)
      .centre_on_mode(centre_on_mode)
      .closed_form_k2(closed_form_k2);
}

GaussianSparsemax make(const at::Tensor& loc, const at::Tensor& scale) {
  return GaussianSparsemax(loc, scale, GaussianSparsemaxOptions(), false);
}

// The options' parameters of a kernel whose schema carries MIXDIST_GSP_OPTIONS (below), and the distribution
// built from the kernel's loc, scale and those parameters.
#define MIXDIST_GSP_OPTION_PARAMS                                                                       \
  bool adaptive_quadrature, double quadrature_tolerance, int64_t quadrature_nodes, bool centre_on_mode, \
      bool closed_form_k2
#define MIXDIST_GSP_MAKE(validate_args)                                                                     \
  GaussianSparsemax(                                                                                        \
      loc, scale,                                                                                           \
      options(adaptive_quadrature, quadrature_tolerance, quadrature_nodes, centre_on_mode, closed_form_k2), \
      validate_args)

std::vector<int64_t> batch_shape(const at::Tensor& loc, const at::Tensor& scale, MIXDIST_GSP_OPTION_PARAMS,
                                 bool validate_args) {
  return mixdist::python::shape_of(MIXDIST_GSP_MAKE(validate_args));
}

at::Tensor log_prob(const at::Tensor& loc, const at::Tensor& scale, const at::Tensor& value,
                    const c10::optional<at::Tensor>& face, MIXDIST_GSP_OPTION_PARAMS, bool validate_args) {
  const GaussianSparsemax d = MIXDIST_GSP_MAKE(validate_args);
  return face.has_value() ? d.log_prob(value, *face) : d.log_prob(value);
}

at::Tensor vertex_log_probs(const at::Tensor& loc, const at::Tensor& scale, MIXDIST_GSP_OPTION_PARAMS) {
  return MIXDIST_GSP_MAKE(false).vertex_log_probs();
}

std::tuple<at::Tensor, at::Tensor> entropy_mc(const at::Tensor& loc, const at::Tensor& scale,
                                              int64_t num_samples, c10::optional<at::Generator> generator,
                                              MIXDIST_GSP_OPTION_PARAMS) {
  return mixdist::python::as_tuple(MIXDIST_GSP_MAKE(false).entropy_mc(num_samples, std::move(generator)));
}

std::tuple<at::Tensor, at::Tensor> entropy_bits_mc(const at::Tensor& loc, const at::Tensor& scale,
                                                   double precision_bits, int64_t num_samples,
                                                   c10::optional<at::Generator> generator,
                                                   MIXDIST_GSP_OPTION_PARAMS) {
  return mixdist::python::as_tuple(
      MIXDIST_GSP_MAKE(false).entropy_bits_mc(precision_bits, num_samples, std::move(generator)));
}

at::Tensor face_probability(const at::Tensor& loc, const at::Tensor& scale, const at::Tensor& face,
                            MIXDIST_GSP_OPTION_PARAMS) {
  return MIXDIST_GSP_MAKE(false).face_probability(face);
}

std::tuple<at::Tensor, at::Tensor> face_probability_mc(const at::Tensor& loc, const at::Tensor& scale,
                                                       const at::Tensor& face, int64_t num_samples,
                                                       c10::optional<at::Generator> generator,
                                                       MIXDIST_GSP_OPTION_PARAMS) {
  return mixdist::python::as_tuple(
      MIXDIST_GSP_MAKE(false).face_probability_mc(face, num_samples, std::move(generator)));
}

#undef MIXDIST_GSP_MAKE
#undef MIXDIST_GSP_OPTION_PARAMS

}  // namespace

#define MIXDIST_GSP_OPTIONS                                                                   \
  "bool adaptive_quadrature=True, float quadrature_tolerance=1e-9, int quadrature_nodes=64, " \
  "bool centre_on_mode=True, bool closed_form_k2=True"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("gaussian_sparsemax_batch_shape(Tensor loc, Tensor scale, " MIXDIST_GSP_OPTIONS
        ", bool validate_args=True) -> int[]");
  m.def(
      "gaussian_sparsemax_log_prob(Tensor loc, Tensor scale, Tensor value, Tensor? "
      "face=None, " MIXDIST_GSP_OPTIONS ", bool validate_args=True) -> Tensor");
  m.def(
      "gaussian_sparsemax_rsample(Tensor loc, Tensor scale, int[] sample_shape=[], Generator? "
      "generator=None) "
      "-> Tensor");
  m.def("gaussian_sparsemax_entropy(Tensor loc, Tensor scale) -> Tensor");
  m.def(
      "gaussian_sparsemax_entropy_mc(Tensor loc, Tensor scale, int num_samples, Generator? "
      "generator=None, " MIXDIST_GSP_OPTIONS ") -> (Tensor, Tensor)");
  m.def("gaussian_sparsemax_entropy_bits(Tensor loc, Tensor scale, float precision_bits) -> Tensor");
  m.def(
      "gaussian_sparsemax_entropy_bits_mc(Tensor loc, Tensor scale, float precision_bits, int num_samples, "
      "Generator? generator=None, " MIXDIST_GSP_OPTIONS ") -> (Tensor, Tensor)");
  m.def("gaussian_sparsemax_vertex_log_probs(Tensor loc, Tensor scale, " MIXDIST_GSP_OPTIONS ") -> Tensor");
  m.def("gaussian_sparsemax_face_probability(Tensor loc, Tensor scale, Tensor face, " MIXDIST_GSP_OPTIONS
        ") -> Tensor");
  m.def(
      "gaussian_sparsemax_face_probability_mc(Tensor loc, Tensor scale, Tensor face, int num_samples, "
      "Generator? generator=None, " MIXDIST_GSP_OPTIONS ") -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("gaussian_sparsemax_batch_shape", &batch_shape);
  m.impl("gaussian_sparsemax_log_prob", &log_prob);
  m.impl("gaussian_sparsemax_rsample",
         [](const at::Tensor& loc, const at::Tensor& scale, at::IntArrayRef sample_shape,
            c10::optional<at::Generator> generator) {
           return make(loc, scale).rsample(sample_shape, std::move(generator));
         });
  m.impl("gaussian_sparsemax_entropy",
         [](const at::Tensor& loc, const at::Tensor& scale) { return make(loc, scale).entropy(); });
  m.impl("gaussian_sparsemax_entropy_mc", &entropy_mc);
  m.impl("gaussian_sparsemax_entropy_bits",
         [](const at::Tensor& loc, const at::Tensor& scale, double precision_bits) {
           return make(loc, scale).entropy_bits(precision_bits);
         });
  m.impl("gaussian_sparsemax_entropy_bits_mc", &entropy_bits_mc);
  m.impl("gaussian_sparsemax_vertex_log_probs", &vertex_log_probs);
  m.impl("gaussian_sparsemax_face_probability", &face_probability);
  m.impl("gaussian_sparsemax_face_probability_mc", &face_probability_mc);
}
