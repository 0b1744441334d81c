#pragma once

/// @file
/// @brief The bit-vector VAE's data: raw Fashion-MNIST bytes split three ways.
///
/// Data of the bit-vector VAE (`docs/experiments.md#bit-vector-vae-data`): raw 8-bit images as [N, 784]
/// uint8. The encoder reads them as x / 255 and the decoder scores every byte with a 256-way categorical, so
/// nothing is binarised or normalised here.

#include <ATen/ATen.h>

#include <string>

#include "mixdist/experiments/bitvector_vae/config.h"

namespace mixdist::experiments::bitvector_vae {

/// The three splits of the bit-vector VAE's images.
struct BitVaeData {
  /// Training images, [train_size, 784] uint8.
  at::Tensor train, valid, test;
  /// @var valid
  /// Validation images, [valid_size, 784] uint8.
  /// @var test
  /// Test images, [test_size, 784] uint8.
};

/// The images `config` asks for.
///
/// "fashion-mnist": train = Fashion-MNIST training images [0, train_size), valid = the last valid_size
/// training images (55,000..59,999 by default; never overlapping train), test = the first test_size test
/// images, from config.data_dir. "synthetic": data::make_synthetic_images scaled to bytes (round(255 x)),
/// deterministic in config.seed.
/// @throws c10::Error for an invalid config (config.validate()), or missing or short Fashion-MNIST files
///   (naming the folder and how to install the data).
BitVaeData load_bitvae_data(const BitVaeConfig& config);

/// "train", "valid" or "test" -> the matching tensor of `data`.
/// @throws c10::Error listing the valid splits for any other name.
const at::Tensor& split_images(const BitVaeData& data, const std::string& split);

}  // namespace mixdist::experiments::bitvector_vae
