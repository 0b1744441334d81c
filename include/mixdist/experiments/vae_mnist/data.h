#pragma once

// Data of the MNIST VAE (docs/experiments.md#mnist-vae-data): grey images in [0, 1] as [N, 784] float, split
// 55k / 5k / 10k, binarised afresh every time a batch is drawn (x = 1[x > U(0, 1)]), evaluation included.

#include <ATen/ATen.h>

#include "mixdist/experiments/vae_mnist/config.h"

namespace mixdist::experiments::vae_mnist {

struct VaeData {
  at::Tensor train, valid, test;  // [N, 784] float in [0, 1]
};

// MNIST (config.dataset == "mnist": the first train_size training images, the next valid_size ones as the
// validation set, the first test_size test images) or a small synthetic set ("synthetic": noisy strokes of
// ten prototype images, made deterministically from config.seed) for tests and benchmarks.
VaeData load_vae_data(const VaeConfig& config);

// Dynamic binarisation: 1[x > U(0, 1)] with fresh uniforms from the generator (global one when nullopt).
at::Tensor binarize(const at::Tensor& grey, c10::optional<at::Generator> generator = c10::nullopt);

// "train", "valid" or "test" -> the matching tensor; a named error otherwise.
const at::Tensor& split_images(const VaeData& data, const std::string& split);

}  // namespace mixdist::experiments::vae_mnist
