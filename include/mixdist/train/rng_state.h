#pragma once

// The global CPU generator's state: every experiment draws from it (dropout and ATen's samplers take no
// generator everywhere), checkpoints save it so that a resumed run continues the same stream, and
// evaluations and pictures put it back afterwards so that they never perturb training.

#include <ATen/ATen.h>

namespace mixdist::train {

at::Tensor global_rng_state();
void set_global_rng_state(const at::Tensor& state);

// Restores the global CPU generator's state when it goes out of scope.
class GlobalRngStateGuard {
 public:
  GlobalRngStateGuard();
  ~GlobalRngStateGuard();
  GlobalRngStateGuard(const GlobalRngStateGuard&) = delete;
  GlobalRngStateGuard& operator=(const GlobalRngStateGuard&) = delete;

 private:
  at::Tensor state_;
};

}  // namespace mixdist::train
