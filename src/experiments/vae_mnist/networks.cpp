#include "mixdist/experiments/vae_mnist/networks.h"

#include <string>

#include "mixdist/nn/dropout.h"
#include "mixdist/nn/linear.h"

namespace mixdist::experiments::vae_mnist {
namespace {

using mixdist::nn::Activation;

// The layer's own parameters through mixdist::nn::linear (oneDNN's GEMM, the activation fused in).
at::Tensor run_layer(torch::nn::Linear& layer, const at::Tensor& x,
                     Activation activation = Activation::kIdentity) {
  return mixdist::nn::linear(x, layer->weight, layer->bias, activation);
}

}  // namespace

EncoderImpl::EncoderImpl(int64_t input_size, int64_t hidden, std::vector<int64_t> head_sizes, double dropout,
                         bool head_dropout)
    : dropout_(dropout), head_dropout_(head_dropout) {
  fc1_ = register_module("fc1", torch::nn::Linear(input_size, hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, hidden));
  for (size_t i = 0; i < head_sizes.size(); ++i)
    heads_.push_back(register_module("head" + std::to_string(i), torch::nn::Linear(hidden, head_sizes[i])));
}

std::vector<at::Tensor> EncoderImpl::forward(const at::Tensor& x) {
  const bool train = is_training() && dropout_ > 0.0;
  at::Tensor h = run_layer(fc1_, mixdist::nn::dropout(x, dropout_, train), Activation::kRelu);
  h = run_layer(fc2_, mixdist::nn::dropout(h, dropout_, train), Activation::kRelu);
  std::vector<at::Tensor> out;
  out.reserve(heads_.size());
  // Each head draws its own dropout mask, as separate nn.Dropout layers do in the reference code.
  for (auto& head : heads_)
    out.push_back(run_layer(head, head_dropout_ ? mixdist::nn::dropout(h, dropout_, train) : h));
  return out;
}

DecoderImpl::DecoderImpl(int64_t latent_size, int64_t hidden, int64_t output_size) {
  fc1_ = register_module("fc1", torch::nn::Linear(latent_size, hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, hidden));
  out_ = register_module("out", torch::nn::Linear(hidden, output_size));
}

at::Tensor DecoderImpl::forward(const at::Tensor& latent) {
  return run_layer(out_, run_layer(fc2_, run_layer(fc1_, latent, Activation::kRelu), Activation::kRelu));
}

at::Tensor DecoderImpl::log_likelihood(const at::Tensor& x, const at::Tensor& latent) {
  const at::Tensor logits = forward(latent);
  // x log sigmoid(l) + (1 - x) log sigmoid(-l) = x l - softplus(l), stable for any logit.
  return (x * logits - at::softplus(logits)).sum(-1);
}

at::Tensor DecoderImpl::log_likelihood_of_codes(const at::Tensor& x, const at::Tensor& codes) {
  TORCH_CHECK(x.dim() == 2 && codes.dim() == 2,
              "Decoder::log_likelihood_of_codes: x must be [B, D] and codes [K, L], got ", x.sizes(), " and ",
              codes.sizes());
  const at::Tensor logits = forward(codes);  // [K, D]
  return at::mm(x, logits.t()) - at::softplus(logits).sum(-1);
}

}  // namespace mixdist::experiments::vae_mnist
