#include "mixdist/random/counter_based.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace mixdist::random {

uint64_t draw_seed(c10::optional<at::Generator> generator) {
  auto* gen =
      at::get_generator_or_default<at::CPUGeneratorImpl>(generator, at::detail::getDefaultCPUGenerator());
  std::lock_guard<std::mutex> lock(gen->mutex_);
  return gen->random64();
}

}  // namespace mixdist::random
