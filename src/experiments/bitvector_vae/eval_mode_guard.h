#pragma once

#include <torch/nn/module.h>

namespace mixdist::experiments::bitvector_vae {

// Eval mode for the guard's lifetime, the previous mode back afterwards (also when an error unwinds).
class EvalModeGuard {
 public:
  explicit EvalModeGuard(torch::nn::Module& m) : module_(m), was_training_(m.is_training()) { m.eval(); }
  ~EvalModeGuard() { module_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

}  // namespace mixdist::experiments::bitvector_vae
