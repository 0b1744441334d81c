#pragma once

/// @file
/// @brief The MNIST VAE's data: grey images split three ways, and dynamic binarisation.
///
/// Data of the MNIST VAE (`docs/experiments.md#mnist-vae-data`): grey images in [0, 1] as [N, 784] float,
/// split 55k / 5k / 10k, binarised afresh every time a batch is drawn (x = 1[x > U(0, 1)]), evaluation
/// included.

#include <ATen/ATen.h>

#include "mixdist/experiments/vae_mnist/config.h"

namespace mixdist::experiments::vae_mnist {

/// The three splits of the MNIST VAE's images.
struct VaeData {
  /// Training images, [train_size, 784] float in [0, 1].
  at::Tensor train, valid, test;
  /// @var valid
  /// Validation images, [valid_size, 784] float in [0, 1].
  /// @var test
  /// Test images, [test_size, 784] float in [0, 1].
};

/// The images `config` asks for.
///
/// "mnist": the first train_size training images, the last valid_size training images as the validation set
/// (55,000..59,999 by default; never overlapping train), the first test_size test images, from
/// config.data_dir. "synthetic": a small synthetic set (data::make_synthetic_images, made deterministically
/// from config.seed) for tests and benchmarks, sliced into the three splits.
/// @throws c10::Error for an invalid config (config.validate()), or missing or short MNIST files (naming the
///   file and how to fetch the data).
VaeData load_vae_data(const VaeConfig& config);

/// Dynamic binarisation: 1[x > U(0, 1)] with fresh uniforms from `generator` (the global one when nullopt).
/// @param grey images of any shape, values in [0, 1].
/// @param generator the generator of the uniforms; nullopt: the global CPU generator.
/// @return 0 / 1 values of grey's shape and dtype.
at::Tensor binarize(const at::Tensor& grey, c10::optional<at::Generator> generator = c10::nullopt);

/// "train", "valid" or "test" -> the matching tensor of `data`.
/// @throws c10::Error listing the valid splits for any other name.
const at::Tensor& split_images(const VaeData& data, const std::string& split);

}  // namespace mixdist::experiments::vae_mnist
