#pragma once

// The VAE's networks (docs/experiments.md#mnist-vae-networks). Encoder: Dropout -> Linear(in, H) -> ReLU ->
// Dropout -> Linear(H, H) -> ReLU, then one linear head per parameter block; the face-and-Y encoder of the
// discrete and Mixed Dirichlet models puts a Dropout before each head (`head_dropout`), the Z encoder does
// not. Decoder: Linear(L, H) -> ReLU -> Linear(H, H) -> ReLU -> Linear(H, 784), Bernoulli logits (gen dropout
// is 0).

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace mixdist::experiments::vae_mnist {

class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(int64_t input_size, int64_t hidden, std::vector<int64_t> head_sizes, double dropout,
              bool head_dropout);
  // One tensor per head, [B, head_sizes[i]].
  std::vector<at::Tensor> forward(const at::Tensor& x);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  std::vector<torch::nn::Linear> heads_;
  double dropout_;
  bool head_dropout_;
};
TORCH_MODULE(Encoder);

class DecoderImpl : public torch::nn::Module {
 public:
  DecoderImpl(int64_t latent_size, int64_t hidden, int64_t output_size);
  // Bernoulli logits [..., output_size] for latents [..., latent_size].
  at::Tensor forward(const at::Tensor& latent);
  // log p(x | latent) summed over pixels, broadcasting x [B, D] against latent's leading dims [..., B, L].
  at::Tensor log_likelihood(const at::Tensor& x, const at::Tensor& latent);
  // log p(x_b | code_k) for every data point x [B, D] and every code [K, L]: [B, K]. The decoder runs on the
  // K codes only, and the pixel sum becomes one [B, D] x [D, K] product.
  at::Tensor log_likelihood_of_codes(const at::Tensor& x, const at::Tensor& codes);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr}, out_{nullptr};
};
TORCH_MODULE(Decoder);

}  // namespace mixdist::experiments::vae_mnist
