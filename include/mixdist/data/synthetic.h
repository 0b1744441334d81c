#pragma once

/// @file
/// @brief Small generated image sets, so that every experiment runs without MNIST.
///
/// Small generated image sets for tests and benchmarks, so that every experiment's code path runs without
/// MNIST or Fashion-MNIST.

#include <ATen/ATen.h>

#include <cstdint>

namespace mixdist::data {

/// n grey 28 x 28 images: ten prototypes (unions of three random thick bars), each image one of them plus
/// noise.
///
/// Deterministic in seed (its own generator; the global one is left alone).
/// @param n    number of images, >= 1.
/// @param seed seed of the images' own generator.
/// @return [n, 784] float in [0, 1].
/// @throws c10::Error if n < 1.
///
/// @code
/// at::Tensor images = mixdist::data::make_synthetic_images(100, /*seed=*/0);  // [100, 784]
/// @endcode
at::Tensor make_synthetic_images(int64_t n, int64_t seed);

}  // namespace mixdist::data
