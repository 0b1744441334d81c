// torch.ops.mixdist.clipped_gaussian_*: mixdist::ClippedGaussian
// (include/mixdist/distributions/clipped_gaussian.h), the one-bit Gaussian-Sparsemax, in the dispatcher
// (conventions: common.h). reproduce_authors is ClippedGaussianOptions::reproduce_authors.
// bit_gaussian_sparsemax(logits, std) returns the (loc, scale) of mixdist::bit_gaussian_sparsemax's law.

#include <c10/util/Optional.h>
#include <torch/library.h>

#include <tuple>
#include <utility>
#include <vector>

#include "common.h"
#include "mixdist/distributions/clipped_gaussian.h"

namespace {

using mixdist::ClippedGaussian;

ClippedGaussian make(const at::Tensor& loc, const at::Tensor& scale, bool reproduce_authors,
                     bool validate_args = false) {
  return ClippedGaussian(loc, scale, mixdist::ClippedGaussianOptions().reproduce_authors(reproduce_authors),
                         validate_args);
}

std::vector<int64_t> batch_shape(const at::Tensor& loc, const at::Tensor& scale, bool reproduce_authors,
                                 bool validate_args) {
  return mixdist::python::shape_of(make(loc, scale, reproduce_authors, validate_args));
}

at::Tensor log_prob(const at::Tensor& loc, const at::Tensor& scale, const at::Tensor& value,
                    bool reproduce_authors, bool validate_args) {
  return make(loc, scale, reproduce_authors, validate_args).log_prob(value);
}

at::Tensor rsample(const at::Tensor& loc, const at::Tensor& scale, at::IntArrayRef sample_shape,
                   c10::optional<at::Generator> generator, bool reproduce_authors) {
  return make(loc, scale, reproduce_authors).rsample(sample_shape, std::move(generator));
}

std::tuple<at::Tensor, at::Tensor> log_masses(const at::Tensor& loc, const at::Tensor& scale,
                                              bool reproduce_authors) {
  const ClippedGaussian d = make(loc, scale, reproduce_authors);
  return {d.log_prob_zero(), d.log_prob_one()};
}

at::Tensor kl(const at::Tensor& p_loc, const at::Tensor& p_scale, const at::Tensor& q_loc,
              const at::Tensor& q_scale, bool p_reproduce_authors, bool q_reproduce_authors) {
  return mixdist::kl_divergence(make(p_loc, p_scale, p_reproduce_authors),
                                make(q_loc, q_scale, q_reproduce_authors));
}

std::tuple<at::Tensor, at::Tensor> bit_gaussian_sparsemax(const at::Tensor& logits, double std,
                                                          bool validate_args) {
  const ClippedGaussian d = mixdist::bit_gaussian_sparsemax(logits, std, validate_args);
  return {d.loc(), d.scale()};
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def(
      "clipped_gaussian_batch_shape(Tensor loc, Tensor scale, bool reproduce_authors=False, "
      "bool validate_args=True) -> int[]");
  m.def(
      "clipped_gaussian_log_prob(Tensor loc, Tensor scale, Tensor value, bool reproduce_authors=False, "
      "bool validate_args=True) -> Tensor");
  m.def(
      "clipped_gaussian_rsample(Tensor loc, Tensor scale, int[] sample_shape=[], Generator? generator=None, "
      "bool reproduce_authors=False) -> Tensor");
  m.def("clipped_gaussian_entropy(Tensor loc, Tensor scale, bool reproduce_authors=False) -> Tensor");
  m.def(
      "clipped_gaussian_entropy_bits(Tensor loc, Tensor scale, float precision_bits, bool "
      "reproduce_authors=False) "
      "-> Tensor");
  m.def("clipped_gaussian_mean(Tensor loc, Tensor scale, bool reproduce_authors=False) -> Tensor");
  m.def(
      "clipped_gaussian_log_masses(Tensor loc, Tensor scale, bool reproduce_authors=False) "
      "-> (Tensor log_prob_zero, Tensor log_prob_one)");
  m.def(
      "clipped_gaussian_kl(Tensor p_loc, Tensor p_scale, Tensor q_loc, Tensor q_scale, "
      "bool p_reproduce_authors=False, bool q_reproduce_authors=False) -> Tensor");
  m.def(
      "bit_gaussian_sparsemax(Tensor logits, float std=1.0, bool validate_args=True) "
      "-> (Tensor loc, Tensor scale)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("clipped_gaussian_batch_shape", &batch_shape);
  m.impl("clipped_gaussian_log_prob", &log_prob);
  m.impl("clipped_gaussian_rsample", &rsample);
  m.impl("clipped_gaussian_entropy",
         [](const at::Tensor& loc, const at::Tensor& scale, bool reproduce_authors) {
           return make(loc, scale, reproduce_authors).entropy();
         });
  m.impl("clipped_gaussian_mean", [](const at::Tensor& loc, const at::Tensor& scale, bool reproduce_authors) {
    return make(loc, scale, reproduce_authors).mean();
  });
  m.impl("clipped_gaussian_entropy_bits",
         [](const at::Tensor& loc, const at::Tensor& scale, double precision_bits, bool reproduce_authors) {
           return make(loc, scale, reproduce_authors).entropy_bits(precision_bits);
         });
  m.impl("clipped_gaussian_log_masses", &log_masses);
  m.impl("clipped_gaussian_kl", &kl);
  m.impl("bit_gaussian_sparsemax", &bit_gaussian_sparsemax);
}
