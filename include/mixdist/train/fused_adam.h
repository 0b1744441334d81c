#pragma once

/// @file
/// @brief torch::optim::Adam with a fused, vectorised CPU step (same state, options and checkpoints).
///
/// torch::optim::Adam with a fused CPU step. LibTorch 1.13's Adam::step makes about eight passes over every
/// parameter tensor (weight decay, two moment updates, sqrt, divide, add eps, addcdiv) and allocates three
/// temporaries. FusedAdam computes the same update (coupled L2 weight decay, bias corrections, eps added
/// outside the square root) in one vectorised pass per element, in parallel over chunks, several times faster
/// (see docs/performance.md#fused-kernels). State, options and serialization are Adam's own, so checkpoints
/// are interchangeable with torch::optim::Adam. Parameters that are not contiguous float/double CPU tensors,
/// and amsgrad, take Adam's own step.

#include <torch/optim/adam.h>

#include <vector>

namespace mixdist::train {

/// torch::optim::Adam whose step() is one fused pass per parameter tensor; constructed as Adam.
///
/// @code
/// mixdist::train::FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
/// optimizer.clear_grad();
/// loss.backward();
/// optimizer.step();
/// @endcode
class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  /// One Adam update of every parameter with a gradient (the same update as torch::optim::Adam::step).
  /// @param closure optional: re-evaluates the loss, as for Adam::step.
  /// @return the closure's loss, or an undefined tensor without a closure.
  torch::Tensor step(LossClosure closure = nullptr) override;
  /// zero_grad with set_to_none (LibTorch 2's default): the next backward hands its gradient tensors over
  /// instead of adding them into zeroed ones, two passes over every parameter fewer.
  void clear_grad();
};

}  // namespace mixdist::train
