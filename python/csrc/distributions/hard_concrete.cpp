// torch.ops.mixdist.hard_concrete_*: mixdist::HardConcrete (include/mixdist/distributions/hard_concrete.h),
// the stretched and clipped Binary Concrete of L0 gates, in the dispatcher (conventions: common.h).
// hard_concrete_masses gives the exact P(Y = 0) and P(Y = 1) (the expected-L0 penalty is 1 - P(Y = 0)).

#include <c10/util/Optional.h>
#include <torch/library.h>

#include <tuple>
#include <utility>
#include <vector>

#include "common.h"
#include "mixdist/distributions/hard_concrete.h"

namespace {

using mixdist::HardConcrete;

std::vector<int64_t> batch_shape(const at::Tensor& logits, double temperature, double lower, double upper,
                                 bool validate_args) {
  return mixdist::python::shape_of(HardConcrete(logits, temperature, lower, upper, validate_args));
}

at::Tensor log_prob(const at::Tensor& logits, double temperature, const at::Tensor& value, double lower,
                    double upper, bool validate_args) {
  return HardConcrete(logits, temperature, lower, upper, validate_args).log_prob(value);
}

at::Tensor rsample(const at::Tensor& logits, double temperature, at::IntArrayRef sample_shape,
                   c10::optional<at::Generator> generator, double lower, double upper) {
  return HardConcrete(logits, temperature, lower, upper, false).rsample(sample_shape, std::move(generator));
}

std::tuple<at::Tensor, at::Tensor> masses(const at::Tensor& logits, double temperature, double lower,
                                          double upper) {
  const HardConcrete d(logits, temperature, lower, upper, false);
  return {d.prob_zero(), d.prob_one()};
}

std::tuple<at::Tensor, at::Tensor> entropy_mc(const at::Tensor& logits, double temperature,
                                              int64_t num_samples, c10::optional<at::Generator> generator,
                                              double lower, double upper) {
  return mixdist::python::as_tuple(
      HardConcrete(logits, temperature, lower, upper, false).entropy_mc(num_samples, std::move(generator)));
}

std::tuple<at::Tensor, at::Tensor> entropy_bits_mc(const at::Tensor& logits, double temperature,
                                                   double precision_bits, int64_t num_samples,
                                                   c10::optional<at::Generator> generator, double lower,
                                                   double upper) {
  return mixdist::python::as_tuple(HardConcrete(logits, temperature, lower, upper, false)
                                       .entropy_bits_mc(precision_bits, num_samples, std::move(generator)));
}

}  // namespace

#define MIXDIST_STRETCH "float lower=-0.1, float upper=1.1"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("hard_concrete_batch_shape(Tensor logits, float temperature, " MIXDIST_STRETCH
        ", bool validate_args=True) -> int[]");
  m.def("hard_concrete_log_prob(Tensor logits, float temperature, Tensor value, " MIXDIST_STRETCH
        ", bool validate_args=True) -> Tensor");
  m.def(
      "hard_concrete_rsample(Tensor logits, float temperature, int[] sample_shape=[], Generator? "
      "generator=None, " MIXDIST_STRETCH ") -> Tensor");
  m.def("hard_concrete_masses(Tensor logits, float temperature, " MIXDIST_STRETCH
        ") -> (Tensor prob_zero, Tensor prob_one)");
  m.def(
      "hard_concrete_entropy_mc(Tensor logits, float temperature, int num_samples, Generator? "
      "generator=None, " MIXDIST_STRETCH ") -> (Tensor, Tensor)");
  m.def(
      "hard_concrete_entropy_bits_mc(Tensor logits, float temperature, float precision_bits, int "
      "num_samples, "
      "Generator? generator=None, " MIXDIST_STRETCH ") -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("hard_concrete_batch_shape", &batch_shape);
  m.impl("hard_concrete_log_prob", &log_prob);
  m.impl("hard_concrete_rsample", &rsample);
  m.impl("hard_concrete_masses", &masses);
  m.impl("hard_concrete_entropy_mc", &entropy_mc);
  m.impl("hard_concrete_entropy_bits_mc", &entropy_bits_mc);
}
