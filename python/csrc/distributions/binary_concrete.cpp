// torch.ops.mixdist.binary_concrete_*: mixdist::BinaryConcrete
// (include/mixdist/distributions/binary_concrete.h), the RelaxedBernoulli on (0, 1), in the dispatcher
// (conventions: common.h). The temperature is a float, as in the C++ constructor.

#include <c10/util/Optional.h>
#include <torch/library.h>

#include <tuple>
#include <utility>
#include <vector>

#include "common.h"
#include "mixdist/distributions/binary_concrete.h"

namespace {

using mixdist::BinaryConcrete;

std::vector<int64_t> batch_shape(const at::Tensor& logits, double temperature, bool validate_args) {
  return mixdist::python::shape_of(BinaryConcrete(logits, temperature, validate_args));
}

at::Tensor log_prob(const at::Tensor& logits, double temperature, const at::Tensor& value,
                    bool validate_args) {
  return BinaryConcrete(logits, temperature, validate_args).log_prob(value);
}

at::Tensor rsample(const at::Tensor& logits, double temperature, at::IntArrayRef sample_shape,
                   c10::optional<at::Generator> generator) {
  return BinaryConcrete(logits, temperature, false).rsample(sample_shape, std::move(generator));
}

std::tuple<at::Tensor, at::Tensor> entropy_mc(const at::Tensor& logits, double temperature,
                                              int64_t num_samples, c10::optional<at::Generator> generator) {
  return mixdist::python::as_tuple(
      BinaryConcrete(logits, temperature, false).entropy_mc(num_samples, std::move(generator)));
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("binary_concrete_batch_shape(Tensor logits, float temperature, bool validate_args=True) -> int[]");
  m.def(
      "binary_concrete_log_prob(Tensor logits, float temperature, Tensor value, bool validate_args=True) "
      "-> Tensor");
  m.def(
      "binary_concrete_rsample(Tensor logits, float temperature, int[] sample_shape=[], "
      "Generator? generator=None) -> Tensor");
  m.def("binary_concrete_cdf(Tensor logits, float temperature, Tensor value) -> Tensor");
  m.def(
      "binary_concrete_entropy_mc(Tensor logits, float temperature, int num_samples, "
      "Generator? generator=None) -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("binary_concrete_batch_shape", &batch_shape);
  m.impl("binary_concrete_log_prob", &log_prob);
  m.impl("binary_concrete_rsample", &rsample);
  m.impl("binary_concrete_cdf", [](const at::Tensor& logits, double temperature, const at::Tensor& value) {
    return BinaryConcrete(logits, temperature, false).cdf(value);
  });
  m.impl("binary_concrete_entropy_mc", &entropy_mc);
}
