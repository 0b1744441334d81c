#include "mixdist/experiments/signal_game/networks.h"

#include <cmath>

#include "mixdist/nn/linear.h"
#include "mixdist/nn/sigmoid_pool.h"

namespace mixdist::experiments::signal_game {

SenderImpl::SenderImpl(int64_t features, int64_t embedding, int64_t hidden, int64_t vocab, double temperature)
    : temperature_(temperature) {
  fc1_ = register_module("fc1", torch::nn::Linear(torch::nn::LinearOptions(features, embedding).bias(false)));
  {
    at::NoGradGuard no_grad;
    conv2_ = register_parameter("conv2", at::empty({hidden}, at::kFloat).uniform_(-1.0, 1.0));
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
    conv3_ = register_parameter("conv3", at::empty({hidden}, at::kFloat).uniform_(-bound, bound));
  }
  fc4_ = register_module("fc4", torch::nn::Linear(torch::nn::LinearOptions(embedding, vocab).bias(false)));
}

at::Tensor SenderImpl::forward(const at::Tensor& x) {
  const at::Tensor e = nn::linear(x, fc1_->weight);  // [B, E]
  const at::Tensor h2 =
      fused_ ? nn::sigmoid_pool(e, conv2_, conv3_) : nn::sigmoid_pool_reference(e, conv2_, conv3_);
  return nn::linear(h2, fc4_->weight) / temperature_;
}

ReceiverImpl::ReceiverImpl(int64_t features, int64_t embedding, int64_t vocab) {
  fc1_ = register_module("fc1", torch::nn::Linear(torch::nn::LinearOptions(features, embedding).bias(false)));
  fc2_ = register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(vocab, embedding).bias(false)));
}

at::Tensor ReceiverImpl::forward(const at::Tensor& candidates, const at::Tensor& message) {
  const at::Tensor v = nn::linear(message, fc2_->weight);                        // [B, E]
  const at::Tensor query = at::matmul(v, fc1_->weight);                          // [B, F]
  const at::Tensor scores = at::bmm(candidates, query.unsqueeze(2)).squeeze(2);  // [B, G]
  return at::log_softmax(scores, 1);
}

}  // namespace mixdist::experiments::signal_game
