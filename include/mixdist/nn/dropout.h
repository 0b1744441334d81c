#pragma once

// Inverted dropout with a counter-based mask. LibTorch 1.13's CPU at::dropout draws its Bernoulli mask one
// element at a time from the mt19937 generator, serially, unless ATen was built with MKL (Debian's is not):
// about 3 ms per step for the VAE encoders' three dropout layers, a quarter of the whole step. Here the
// generator gives one 64-bit seed per call and the mask comes from ATen's Philox4x32-10 engine, one
// subsequence per 4096-element block, filled in parallel. The mask depends only on the seed and the shape,
// not on the thread count, so runs stay reproducible and resumable from the generator's state.
//
// Semantics as at::dropout: in training each element is zeroed with probability p and the survivors are
// scaled by 1 / (1 - p); outside training, or for p = 0, the input is returned as is. The keep probability
// is 1 - p rounded to a multiple of 2^-32. Gradients flow to the input (times the same mask).

#include <ATen/ATen.h>
#include <c10/util/Optional.h>

namespace mixdist::nn {

// p in [0, 1]; x a CPU float or double tensor. The generator defaults to the global CPU generator.
at::Tensor dropout(const at::Tensor& x, double p, bool train,
                   c10::optional<at::Generator> generator = c10::nullopt);

// The scaled keep mask alone (values 0 and 1 / (1 - p)), of the given shape: what dropout multiplies by.
at::Tensor dropout_mask(at::IntArrayRef shape, double p, at::ScalarType dtype,
                        c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace mixdist::nn
