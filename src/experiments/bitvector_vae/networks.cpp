#include "mixdist/experiments/bitvector_vae/networks.h"

#include "mixdist/nn/linear.h"
#include "mixdist/nn/pixel_categorical.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

using mixdist::nn::Activation;

// The layer's own parameters through mixdist::nn::linear (oneDNN's GEMM, the ReLU fused in).
at::Tensor run_layer(torch::nn::Linear& layer, const at::Tensor& x,
                     Activation activation = Activation::kIdentity) {
  return mixdist::nn::linear(x, layer->weight, layer->bias, activation);
}

}  // namespace

EncoderImpl::EncoderImpl(int64_t hidden, int64_t latent_bits) {
  fc1_ = register_module("fc1", torch::nn::Linear(kImagePixels, hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, latent_bits));
}

at::Tensor EncoderImpl::forward(const at::Tensor& x_u8) {
  TORCH_CHECK(x_u8.scalar_type() == at::kByte && x_u8.dim() == 2 && x_u8.size(1) == kImagePixels,
              "bit-vector VAE encoder: images must be [B, ", kImagePixels, "] uint8, got ", x_u8.sizes(), " ",
              x_u8.scalar_type());
  const at::Tensor x = x_u8.to(fc1_->weight.scalar_type()).div_(255.0);
  return run_layer(fc2_, run_layer(fc1_, x, Activation::kRelu));
}

DecoderImpl::DecoderImpl(int64_t latent_bits, int64_t hidden, int64_t out_rank) : out_rank_(out_rank) {
  fc1_ = register_module("fc1", torch::nn::Linear(latent_bits, hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, kImagePixels * out_rank));
  pixel_ = register_module("pixel", torch::nn::Linear(out_rank, kPixelLevels));
}

at::Tensor DecoderImpl::features(const at::Tensor& z) {
  const at::Tensor flat = run_layer(fc2_, run_layer(fc1_, z, Activation::kRelu));
  std::vector<int64_t> shape(z.sizes().begin(), z.sizes().end() - 1);
  shape.push_back(kImagePixels);
  shape.push_back(out_rank_);
  return flat.view(shape);
}

at::Tensor DecoderImpl::log_likelihood(const at::Tensor& x_u8, const at::Tensor& z) {
  const auto likelihood = fused_likelihood_ ? mixdist::nn::pixel_categorical_log_likelihood
                                            : mixdist::nn::pixel_categorical_log_likelihood_reference;
  return likelihood(features(z), pixel_->weight, pixel_->bias, x_u8);
}

at::Tensor DecoderImpl::mean_intensity(const at::Tensor& z) {
  const at::Tensor logits = at::linear(features(z), pixel_->weight, pixel_->bias);  // [..., 784, 256]
  const at::Tensor levels = at::arange(kPixelLevels, logits.options());
  return at::matmul(at::softmax(logits, -1), levels).div_(kPixelLevels - 1).clamp_(0.0, 1.0);
}

}  // namespace mixdist::experiments::bitvector_vae
