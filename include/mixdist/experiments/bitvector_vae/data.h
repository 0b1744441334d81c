#pragma once

// Data of the bit-vector VAE: raw 8-bit images as [N, 784] uint8. The encoder reads them as x / 255 and the
// decoder scores every byte with a 256-way categorical, so nothing is binarised or normalised here.

#include <ATen/ATen.h>

#include <string>

#include "mixdist/experiments/bitvector_vae/config.h"

namespace mixdist::experiments::bitvector_vae {

struct BitVaeData {
  at::Tensor train, valid, test;  // [N, 784] uint8
};

// "fashion-mnist": train = Fashion-MNIST training images [0, train_size), valid = the last valid_size
// training images (55,000..59,999 by default; never overlapping train), test = the first test_size test
// images, from config.data_dir (a clear error naming the folder and how to install the data when missing).
// "synthetic": data::make_synthetic_images scaled to bytes (round(255 x)), deterministic in config.seed.
BitVaeData load_bitvae_data(const BitVaeConfig& config);

// "train", "valid" or "test" -> the matching tensor; a named error otherwise.
const at::Tensor& split_images(const BitVaeData& data, const std::string& split);

}  // namespace mixdist::experiments::bitvector_vae
