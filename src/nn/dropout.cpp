#include "mixdist/nn/dropout.h"

#include <ATen/Dispatch.h>

#include <cmath>

#include "mixdist/random/counter_based.h"

namespace mixdist::nn {
namespace {

void check_probability(double p) {
  TORCH_CHECK(p >= 0 && p <= 1, "dropout: p must be in [0, 1], got ", p);
}

}  // namespace

at::Tensor dropout_mask(at::IntArrayRef shape, double p, at::ScalarType dtype,
                        c10::optional<at::Generator> generator) {
  check_probability(p);
  TORCH_CHECK(dtype == at::kFloat || dtype == at::kDouble,
              "dropout_mask: dtype must be float or double, got ", dtype);
  at::Tensor mask = at::empty(shape, at::TensorOptions().dtype(dtype));
  if (p == 1) return mask.zero_();
  const uint64_t seed = random::draw_seed(std::move(generator));
  // Keep when a uniform 32-bit draw falls below (1 - p) 2^32; p = 0 keeps everything (threshold 2^32).
  const uint64_t threshold = static_cast<uint64_t>(std::ldexp(1.0 - p, 32));
  AT_DISPATCH_FLOATING_TYPES(dtype, "dropout_mask", [&] {
    const scalar_t scale = static_cast<scalar_t>(1.0 / (1.0 - p));
    random::philox_fill(mask.data_ptr<scalar_t>(), mask.numel(), seed, [&](int64_t, uint32_t bits) {
      return static_cast<uint64_t>(bits) < threshold ? scale : scalar_t(0);
    });
  });
  return mask;
}

at::Tensor dropout(const at::Tensor& x, double p, bool train, c10::optional<at::Generator> generator) {
  check_probability(p);
  if (!train || p == 0) return x;
  TORCH_CHECK(x.device().is_cpu(), "dropout: x must be a CPU tensor, got ", x.device());
  // The mask needs no gradient: autograd's product rule sends grad * mask to x.
  return x * dropout_mask(x.sizes(), p, x.scalar_type(), std::move(generator));
}

}  // namespace mixdist::nn
