#pragma once

// Inverted dropout with a counter-based mask (random/counter_based.h). LibTorch 1.13's CPU at::dropout draws
// its Bernoulli mask one element at a time from the mt19937 generator, serially: about 3x the time of this
// mask for the VAE encoders' three dropout layers, measured on one thread. The mask depends only on the
// generator's state and the shape, not on the thread count.
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
