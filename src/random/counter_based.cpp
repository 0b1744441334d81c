#include "mixdist/random/counter_based.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>

#include <mutex>

namespace mixdist::random {

uint64_t draw_seed(c10::optional<at::Generator> generator) {
  auto* gen =
      at::get_generator_or_default<at::CPUGeneratorImpl>(generator, at::detail::getDefaultCPUGenerator());
  std::lock_guard<std::mutex> lock(gen->mutex_);
  return gen->random64();
}

at::Tensor sample_bernoulli(const at::Tensor& probs, c10::optional<at::Generator> generator) {
  TORCH_CHECK(
      probs.device().is_cpu() && (probs.scalar_type() == at::kFloat || probs.scalar_type() == at::kDouble),
      "sample_bernoulli: probs must be a float or double CPU tensor, got ", probs.scalar_type(), " on ",
      probs.device());
  TORCH_CHECK(probs.numel() == 0 || (probs.min().item<double>() >= 0 && probs.max().item<double>() <= 1),
              "sample_bernoulli: probs must lie in [0, 1], got values in [", probs.min().item<double>(), ", ",
              probs.max().item<double>(), "]");
  const at::Tensor p = probs.contiguous();
  at::Tensor out = at::empty_like(p);
  const uint64_t seed = draw_seed(std::move(generator));
  AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "sample_bernoulli", [&] {
    const scalar_t* prob = p.data_ptr<scalar_t>();
    philox_fill(out.data_ptr<scalar_t>(), out.numel(), seed, [&](int64_t i, uint32_t bits) {
      return (static_cast<double>(bits) + 0.5) * 0x1p-32 < static_cast<double>(prob[i]) ? scalar_t(1)
                                                                                        : scalar_t(0);
    });
  });
  return out;
}

}  // namespace mixdist::random
