#pragma once

// Global gradient-norm clipping with the semantics of torch::nn::utils::clip_grad_norm_ (2-norm): the norm
// of all gradients together, and when it exceeds max_norm every gradient is scaled by
// max_norm / (norm + 1e-6). LibTorch 1.13's version takes a float norm per tensor, stacks them and takes the
// norm of the stack (about five small ops per parameter tensor: a third of a millisecond for the VAE's 12
// tensors); this one reads every gradient once, accumulating in double, and writes only when it clips.
// Parameters without a gradient are skipped; gradients that are not contiguous float/double CPU tensors take
// an ATen path.

#include <ATen/ATen.h>

#include <vector>

namespace mixdist::train {

// Returns the total norm before clipping. max_norm must be positive and finite.
double clip_grad_norm(const std::vector<at::Tensor>& parameters, double max_norm);

}  // namespace mixdist::train
