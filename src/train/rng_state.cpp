#include "mixdist/train/rng_state.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace mixdist::train {

at::Tensor global_rng_state() {
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_global_rng_state(const at::Tensor& state) {
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

GlobalRngStateGuard::GlobalRngStateGuard() : state_(global_rng_state()) {}
GlobalRngStateGuard::~GlobalRngStateGuard() {
  set_global_rng_state(state_);
}

}  // namespace mixdist::train
