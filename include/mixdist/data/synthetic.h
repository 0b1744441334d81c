#pragma once

// Small generated image sets for tests and benchmarks, so that every experiment's code path runs without
// MNIST or Fashion-MNIST.

#include <ATen/ATen.h>

#include <cstdint>

namespace mixdist::data {

// n grey 28 x 28 images as [n, 784] float in [0, 1]: ten prototypes (unions of three random thick bars), each
// image one prototype plus pixel noise. Deterministic in seed (its own generator; the global one is left
// alone).
at::Tensor make_synthetic_images(int64_t n, int64_t seed);

}  // namespace mixdist::data
