#pragma once

/// @file
/// @brief The MNIST VAE's encoder and decoder networks.
///
/// The VAE's networks (`docs/experiments.md#mnist-vae-networks`). Encoder: Dropout -> Linear(in, H) -> ReLU
/// -> Dropout -> Linear(H, H) -> ReLU, then one linear head per parameter block; the face-and-Y encoder of
/// the discrete and Mixed Dirichlet models puts a Dropout before each head (`head_dropout`), the Z encoder
/// does not. Decoder: Linear(L, H) -> ReLU -> Linear(H, H) -> ReLU -> Linear(H, 784), Bernoulli logits (gen
/// dropout is 0).

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace mixdist::experiments::vae_mnist {

/// The encoder: two hidden ReLU layers with dropout, then one linear head per parameter block.
class EncoderImpl : public torch::nn::Module {
 public:
  /// @param input_size the input's features (784).
  /// @param hidden H, the hidden layers' width.
  /// @param head_sizes the output size of each head (Latent::head_sizes()).
  /// @param dropout the dropout rate, in [0, 1); only active in train mode.
  /// @param head_dropout whether each head gets its own dropout mask too.
  EncoderImpl(int64_t input_size, int64_t hidden, std::vector<int64_t> head_sizes, double dropout,
              bool head_dropout);
  /// One tensor per head, [B, head_sizes[i]], for inputs x [B, input_size].
  std::vector<at::Tensor> forward(const at::Tensor& x);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  std::vector<torch::nn::Linear> heads_;
  double dropout_;
  bool head_dropout_;
};
/// The module holder of EncoderImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(Encoder);

/// The decoder: two hidden ReLU layers, then Bernoulli logits of every pixel.
class DecoderImpl : public torch::nn::Module {
 public:
  /// @param latent_size L.
  /// @param hidden H, the hidden layers' width.
  /// @param output_size D, the pixels (784).
  DecoderImpl(int64_t latent_size, int64_t hidden, int64_t output_size);
  /// Bernoulli logits [..., output_size] for latents [..., latent_size].
  at::Tensor forward(const at::Tensor& latent);
  /// log p(x | latent) summed over pixels, broadcasting x [B, D] against latent's leading dims [..., B, L];
  /// returns [..., B].
  at::Tensor log_likelihood(const at::Tensor& x, const at::Tensor& latent);
  /// log p(x_b | code_k) for every data point x [B, D] and every code [K, L]: [B, K]. The decoder runs on the
  /// K codes only, and the pixel sum becomes one [B, D] x [D, K] product.
  /// @throws c10::Error if x or codes is not two-dimensional.
  at::Tensor log_likelihood_of_codes(const at::Tensor& x, const at::Tensor& codes);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr}, out_{nullptr};
};
/// The module holder of DecoderImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(Decoder);

}  // namespace mixdist::experiments::vae_mnist
