#pragma once

/// @file
/// @brief Inverted dropout with a counter-based mask: parallel, and the same mask for any thread count.
///
/// Inverted dropout with a counter-based mask (random/counter_based.h). LibTorch 1.13's CPU at::dropout draws
/// its Bernoulli mask one element at a time from the mt19937 generator, serially, which makes it several
/// times slower than this mask (see docs/performance.md#fused-kernels). The mask depends only on the
/// generator's state and the shape, not on the thread count.
///
/// Semantics as at::dropout: in training each element is zeroed with probability p and the survivors are
/// scaled by 1 / (1 - p); outside training, or for p = 0, the input is returned as is. The keep probability
/// is 1 - p rounded to a multiple of 2^-32. Gradients flow to the input (times the same mask).

#include <ATen/ATen.h>
#include <c10/util/Optional.h>

/// @brief Fused neural-network pieces: oneDNN linear layers, counter-based dropout, the experiments' kernels.
namespace mixdist::nn {

/// Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1 / (1 - p).
///
/// Outside training, or for p = 0, returns `x` itself. Differentiable in `x` (the gradient is multiplied by
/// the same mask). The mask advances the generator's state by one 64-bit draw.
/// @param x         CPU float or double tensor of any shape (only checked when a mask is drawn).
/// @param p         drop probability, in [0, 1] (p = 1 zeroes everything).
/// @param train     whether to drop (training) or return `x` (evaluation).
/// @param generator a CPU generator; nullopt: the global CPU generator.
/// @return x's shape and dtype.
/// @throws c10::Error if p is outside [0, 1], or (when a mask is drawn) x is not on the CPU or not float or
///         double.
///
/// @code
/// at::Tensor y = mixdist::nn::dropout(at::randn({100, 784}), 0.1, /*train=*/true);
/// @endcode
at::Tensor dropout(const at::Tensor& x, double p, bool train,
                   c10::optional<at::Generator> generator = c10::nullopt);

/// The scaled keep mask alone (values 0 and 1 / (1 - p)): what dropout() multiplies by.
///
/// Each element is kept with probability 1 - p rounded to a multiple of 2^-32.
/// @param shape     the mask's shape.
/// @param p         drop probability, in [0, 1].
/// @param dtype     float or double.
/// @param generator a CPU generator; nullopt: the global CPU generator.
/// @return a CPU tensor of `shape` and `dtype`.
/// @throws c10::Error if p is outside [0, 1] or dtype is not float or double.
///
/// @code
/// at::Tensor mask = mixdist::nn::dropout_mask({100, 784}, 0.1, at::kFloat);
/// @endcode
at::Tensor dropout_mask(at::IntArrayRef shape, double p, at::ScalarType dtype,
                        c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace mixdist::nn
