#pragma once

/// @file
/// @brief Saving and restoring the global CPU generator's state (checkpoints, side computations).
///
/// The global CPU generator's state: every experiment draws from it (dropout and ATen's samplers take no
/// generator everywhere), checkpoints save it so that a resumed run continues the same stream, and
/// evaluations and pictures put it back afterwards so that they never perturb training.

#include <ATen/ATen.h>

namespace mixdist::train {

/// The global CPU generator's state, as at::Generator::get_state returns it.
/// @return a uint8 CPU tensor (a copy).
at::Tensor global_rng_state();
/// Sets the global CPU generator's state.
/// @param state a state from global_rng_state() (e.g. read back from a checkpoint).
/// @throws c10::Error if `state` is not a valid generator state (as at::Generator::set_state).
void set_global_rng_state(const at::Tensor& state);

/// Restores the global CPU generator's state when it goes out of scope.
///
/// @code
/// {
///   mixdist::train::GlobalRngStateGuard keep;
///   at::Tensor samples = at::randn({16});  // does not perturb the training stream
/// }
/// @endcode
class GlobalRngStateGuard {
 public:
  /// Saves the global CPU generator's state.
  GlobalRngStateGuard();
  /// Puts the saved state back.
  ~GlobalRngStateGuard();
  GlobalRngStateGuard(const GlobalRngStateGuard&) = delete;             ///< Not copyable.
  GlobalRngStateGuard& operator=(const GlobalRngStateGuard&) = delete;  ///< Not copyable.

 private:
  at::Tensor state_;
};

}  // namespace mixdist::train
