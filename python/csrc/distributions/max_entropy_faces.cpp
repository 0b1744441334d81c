// torch.ops.mixdist.max_entropy_faces_*: mixdist::MaxEntropyFaces
// (include/mixdist/distributions/max_entropy_faces.h), the face law of the maximum-entropy mixed
// distribution, and its KLs with itself and with GibbsFaces (both ways), in the dispatcher (conventions:
// common.h).
//
// The law has no tensor parameters: each op takes K, the precision N, the size law's variant ("derived" or
// "authors"), the dtype and the batch shape of identical laws (MaxEntropyFaces::expand).

#include <c10/core/ScalarType.h>
#include <c10/util/Exception.h>
#include <c10/util/Optional.h>
#include <c10/util/string_view.h>
#include <torch/library.h>

#include <utility>
#include <vector>

#include "common.h"
#include "max_entropy_faces.h"
#include "mixdist/distributions/gibbs_faces.h"
#include "mixdist/distributions/max_entropy_faces.h"

namespace mixdist::python {

mixdist::MaxEntropyFacesVariant parse_max_entropy_variant(c10::string_view variant) {
  if (variant == "derived") return mixdist::MaxEntropyFacesVariant::kDerived;
  if (variant == "authors") return mixdist::MaxEntropyFacesVariant::kAuthors;
  TORCH_CHECK(false, "MaxEntropyFaces: variant must be \"derived\" or \"authors\", got \"", variant, "\"");
}

mixdist::MaxEntropyFaces make_max_entropy_faces(int64_t K, double N, c10::string_view variant,
                                                at::ScalarType dtype, c10::IntArrayRef batch_shape,
                                                bool validate_args) {
  const mixdist::MaxEntropyFaces d(K, N, parse_max_entropy_variant(variant), dtype, validate_args);
  return batch_shape.empty() ? d : d.expand(batch_shape);
}

}  // namespace mixdist::python

namespace {

using mixdist::python::make_max_entropy_faces;
using mixdist::python::parse_max_entropy_variant;

at::Tensor log_prob(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                    at::IntArrayRef batch_shape, const at::Tensor& value, bool validate_args) {
  return make_max_entropy_faces(K, N, variant, dtype, batch_shape, validate_args).log_prob(value);
}

at::Tensor sample(int64_t K, double N, c10::string_view variant, at::ScalarType dtype,
                  at::IntArrayRef batch_shape, at::IntArrayRef sample_shape,
                  c10::optional<at::Generator> generator) {
  return make_max_entropy_faces(K, N, variant, dtype, batch_shape).sample(sample_shape, std::move(generator));
}

at::Tensor kl(int64_t p_K, double p_N, c10::string_view p_variant, int64_t q_K, double q_N,
              c10::string_view q_variant, at::ScalarType dtype, at::IntArrayRef batch_shape) {
  return mixdist::kl_divergence(make_max_entropy_faces(p_K, p_N, p_variant, dtype, batch_shape),
                                make_max_entropy_faces(q_K, q_N, q_variant, dtype, batch_shape));
}

at::Tensor gibbs_kl_max_entropy(const at::Tensor& p_scores, int64_t q_K, double q_N,
                                c10::string_view q_variant, at::IntArrayRef q_batch_shape) {
  return mixdist::kl_divergence(
      mixdist::GibbsFaces(p_scores, false),
      make_max_entropy_faces(q_K, q_N, q_variant, p_scores.scalar_type(), q_batch_shape));
}

at::Tensor max_entropy_kl_gibbs(int64_t p_K, double p_N, c10::string_view p_variant,
                                at::IntArrayRef p_batch_shape, const at::Tensor& q_scores) {
  return mixdist::kl_divergence(
      make_max_entropy_faces(p_K, p_N, p_variant, q_scores.scalar_type(), p_batch_shape),
      mixdist::GibbsFaces(q_scores, false));
}

}  // namespace

#define MIXDIST_MEF "int K, float N, str variant, ScalarType dtype, int[] batch_shape"

// The ops without a tensor argument are defined with their kernel (as version() in library.cpp): the
// dispatcher has no tensor to take a dispatch key from, so they are not registered per key.
TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  // log pmf of the face size n = 1..K ([K], double); checks K, N and the variant.
  m.def("max_entropy_faces_log_size_pmf(int K, float N=0., str variant=\"derived\") -> Tensor",
        [](int64_t K, double N, c10::string_view variant) {
          return mixdist::max_entropy_log_size_pmf(K, N, parse_max_entropy_variant(variant));
        });
  m.def("max_entropy_faces_log_prob(" MIXDIST_MEF ", Tensor value, bool validate_args=True) -> Tensor");
  m.def("max_entropy_faces_sample(" MIXDIST_MEF
        ", int[] sample_shape=[], Generator? generator=None) -> Tensor",
        &sample);
  m.def("max_entropy_faces_entropy(" MIXDIST_MEF ") -> Tensor",
        [](int64_t K, double N, c10::string_view variant, at::ScalarType dtype, at::IntArrayRef batch_shape) {
          return make_max_entropy_faces(K, N, variant, dtype, batch_shape).entropy();
        });
  m.def("max_entropy_faces_mean(" MIXDIST_MEF ") -> Tensor",
        [](int64_t K, double N, c10::string_view variant, at::ScalarType dtype, at::IntArrayRef batch_shape) {
          return make_max_entropy_faces(K, N, variant, dtype, batch_shape).mean();
        });
  m.def(
      "max_entropy_faces_kl(int p_K, float p_N, str p_variant, int q_K, float q_N, str q_variant, "
      "ScalarType dtype, int[] batch_shape) -> Tensor",
      &kl);
  m.def(
      "gibbs_faces_max_entropy_faces_kl(Tensor p_scores, int q_K, float q_N, str q_variant, "
      "int[] q_batch_shape) -> Tensor");
  m.def(
      "max_entropy_faces_gibbs_faces_kl(int p_K, float p_N, str p_variant, int[] p_batch_shape, "
      "Tensor q_scores) -> Tensor");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("max_entropy_faces_log_prob", &log_prob);
  m.impl("gibbs_faces_max_entropy_faces_kl", &gibbs_kl_max_entropy);
  m.impl("max_entropy_faces_gibbs_faces_kl", &max_entropy_kl_gibbs);
}
