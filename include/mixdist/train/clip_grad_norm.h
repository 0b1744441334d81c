#pragma once

/// @file
/// @brief Global gradient-norm clipping (as torch::nn::utils::clip_grad_norm_), reading each gradient once.
///
/// Global gradient-norm clipping with the semantics of torch::nn::utils::clip_grad_norm_ (2-norm): the norm
/// of all gradients together, and when it exceeds max_norm every gradient is scaled by
/// max_norm / (norm + 1e-6). LibTorch 1.13's version takes a float norm per tensor, stacks them and takes the
/// norm of the stack (about five small ops per parameter tensor; see docs/performance.md#fused-kernels); this
/// one reads every gradient once, accumulating in double, and writes only when it clips.
/// Parameters without a gradient are skipped; gradients that are not contiguous float/double CPU tensors take
/// an ATen path.

#include <ATen/ATen.h>

#include <vector>

namespace mixdist::train {

/// Scales all gradients together so that their global 2-norm is at most max_norm.
///
/// @param parameters the parameters whose .grad() to clip; those without a gradient are skipped.
/// @param max_norm   positive and finite.
/// @return the total norm before clipping.
/// @throws c10::Error if max_norm is not positive and finite.
///
/// @code
/// double norm = mixdist::train::clip_grad_norm(model->parameters(), 5.0);
/// @endcode
double clip_grad_norm(const std::vector<at::Tensor>& parameters, double max_norm);

}  // namespace mixdist::train
