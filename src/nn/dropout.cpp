#include "mixdist/nn/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/core/PhiloxRNGEngine.h>

#include <cmath>
#include <mutex>

namespace mixdist::nn {
namespace {

constexpr int64_t kBlock = 4096;  // elements per Philox subsequence (and per parallel work item)

void check_probability(double p) {
  TORCH_CHECK(p >= 0 && p <= 1, "dropout: p must be in [0, 1], got ", p);
}

uint64_t draw_seed(c10::optional<at::Generator> generator) {
  auto* gen =
      at::get_generator_or_default<at::CPUGeneratorImpl>(generator, at::detail::getDefaultCPUGenerator());
  std::lock_guard<std::mutex> lock(gen->mutex_);
  return gen->random64();
}

template <typename T>
void fill_mask(T* out, int64_t n, double p, uint64_t seed) {
  // Keep when a uniform 32-bit draw falls below (1 - p) 2^32; p = 0 keeps everything (threshold 2^32).
  const uint64_t threshold = static_cast<uint64_t>(std::ldexp(1.0 - p, 32));
  const T scale = static_cast<T>(1.0 / (1.0 - p));
  at::parallel_for(0, (n + kBlock - 1) / kBlock, 1, [&](int64_t first, int64_t last) {
    for (int64_t block = first; block < last; ++block) {
      at::Philox4_32 engine(seed, static_cast<uint64_t>(block), 0);
      const int64_t end = std::min(n, (block + 1) * kBlock);
      for (int64_t i = block * kBlock; i < end; ++i)
        out[i] = static_cast<uint64_t>(engine()) < threshold ? scale : T(0);
    }
  });
}

}  // namespace

at::Tensor dropout_mask(at::IntArrayRef shape, double p, at::ScalarType dtype,
                        c10::optional<at::Generator> generator) {
  check_probability(p);
  TORCH_CHECK(dtype == at::kFloat || dtype == at::kDouble,
              "dropout_mask: dtype must be float or double, got ", dtype);
  at::Tensor mask = at::empty(shape, at::TensorOptions().dtype(dtype));
  if (p == 1) return mask.zero_();
  const uint64_t seed = draw_seed(std::move(generator));
  AT_DISPATCH_FLOATING_TYPES(dtype, "dropout_mask",
                             [&] { fill_mask<scalar_t>(mask.data_ptr<scalar_t>(), mask.numel(), p, seed); });
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
