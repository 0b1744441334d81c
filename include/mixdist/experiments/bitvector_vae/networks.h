#pragma once

/// @file
/// @brief The bit-vector VAE's encoder and decoder networks.
///
/// The bit-vector VAE's networks (`docs/experiments.md#bit-vector-vae-model`). Encoder: Linear(784 -> H) ->
/// ReLU -> Linear(H -> K), K scores (one per bit) from the image read as x / 255. Decoder: Linear(K -> H) ->
/// ReLU -> Linear(H -> 784 R), i.e. R features per pixel, and one Linear(R -> 256) shared by every pixel
/// turns each pixel's features into the logits of its byte (nn::pixel_categorical_log_likelihood computes
/// the likelihood without materialising those logits).

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace mixdist::experiments::bitvector_vae {

/// Pixels of a Fashion-MNIST image (28 x 28).
constexpr int64_t kImagePixels = 784;
/// Values of a pixel's byte, the categories of its likelihood.
constexpr int64_t kPixelLevels = 256;

/// The encoder: Linear(784 -> H) -> ReLU -> Linear(H -> K) on the image read as x / 255.
class EncoderImpl : public torch::nn::Module {
 public:
  /// @param hidden H, the hidden layer's width.
  /// @param latent_bits K, the scores (bits).
  EncoderImpl(int64_t hidden, int64_t latent_bits);
  /// Images [B, 784] uint8 -> scores [B, K] (float).
  /// @throws c10::Error if x_u8 is not [B, 784] uint8.
  at::Tensor forward(const at::Tensor& x_u8);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
/// The module holder of EncoderImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(Encoder);

/// The decoder: Linear(K -> H) -> ReLU -> Linear(H -> 784 R), then a 256-way categorical per pixel from a
/// Linear(R -> 256) shared by every pixel.
class DecoderImpl : public torch::nn::Module {
 public:
  /// @param latent_bits K.
  /// @param hidden H, the hidden layer's width.
  /// @param out_rank R, features per pixel.
  DecoderImpl(int64_t latent_bits, int64_t hidden, int64_t out_rank);
  /// Per-pixel features [..., 784, R] of latents [..., K].
  at::Tensor features(const at::Tensor& z);
  /// log p(x | z) summed over pixels: images x [B, 784] uint8 against latents [..., B, K] -> [..., B].
  at::Tensor log_likelihood(const at::Tensor& x_u8, const at::Tensor& z);
  /// Mean intensity in [0, 1] of every pixel, sum_c c softmax_c / 255: [..., 784] (for pictures).
  at::Tensor mean_intensity(const at::Tensor& z);
  /// Chooses how log_likelihood computes: false materialises the [..., 784, 256] logits with ATen ops (the
  /// benchmark's baseline, the authors' formulation); true (default): the fused kernel.
  void set_fused_likelihood(bool fused) { fused_likelihood_ = fused; }

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr}, pixel_{nullptr};
  int64_t out_rank_;
  bool fused_likelihood_ = true;
};
/// The module holder of DecoderImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(Decoder);

}  // namespace mixdist::experiments::bitvector_vae
